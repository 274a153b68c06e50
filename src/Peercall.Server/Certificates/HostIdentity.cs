using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace Peercall.Server.Certificates;

/// <summary>The names and LAN addresses by which other devices can reach this machine.</summary>
public sealed record HostIdentity(string HostName, IReadOnlyList<IPAddress> LanAddresses)
{
    /// <summary>Host name, its mDNS name (<c>&lt;hostname&gt;.local</c>) and localhost, lower case, no duplicates.</summary>
    public IReadOnlyList<string> DnsNames
    {
        get
        {
            var host = HostName.ToLowerInvariant();
            var label = host.Split('.')[0];
            return new[] { host, $"{label}.local", "localhost" }
                .Where(n => Uri.CheckHostName(n) == UriHostNameType.Dns)
                .Distinct(StringComparer.Ordinal).ToList();
        }
    }

    /// <summary>The LAN addresses plus loopback: every address a certificate must cover.</summary>
    public IReadOnlyList<IPAddress> CertificateAddresses =>
        [IPAddress.Loopback, IPAddress.IPv6Loopback, .. LanAddresses.Where(a => !IPAddress.IsLoopback(a))];
}

public interface IHostIdentitySource
{
    HostIdentity Current();
}

/// <summary>Reads the host name and the addresses of the network interfaces that are up.</summary>
public sealed class MachineIdentity : IHostIdentitySource
{
    public HostIdentity Current()
    {
        var addresses = NetworkInterface.GetAllNetworkInterfaces()
            .Where(nic => nic.NetworkInterfaceType != NetworkInterfaceType.Loopback
                          && nic.OperationalStatus is OperationalStatus.Up or OperationalStatus.Unknown)
            .SelectMany(nic => nic.GetIPProperties().UnicastAddresses.Select(u => u.Address))
            .Where(IsReachableFromLan)
            .Distinct()
            .OrderBy(a => a.AddressFamily).ThenBy(a => a.ToString(), StringComparer.Ordinal)
            .ToList();
        return new HostIdentity(Dns.GetHostName(), addresses);
    }

    /// <summary>IPv6 link-local addresses need a zone id that URLs and certificates cannot carry.</summary>
    private static bool IsReachableFromLan(IPAddress address) => address.AddressFamily switch
    {
        AddressFamily.InterNetwork => !IPAddress.IsLoopback(address),
        AddressFamily.InterNetworkV6 => !IPAddress.IsLoopback(address) && !address.IsIPv6LinkLocal
                                        && !address.IsIPv6Multicast && !address.IsIPv4MappedToIPv6,
        _ => false,
    };
}
