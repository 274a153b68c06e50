using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Peercall.Server.Certificates;

namespace Peercall.Server.Connect;

/// <summary>The URLs another device on the LAN can open: the server's real bindings, with a wildcard binding
/// spelled out as each LAN address and name of the machine. Loopback-only bindings give none.</summary>
public sealed class ConnectLinks(IServer server, ServerCertificates certificates)
{
    public IReadOnlyList<string> Urls()
    {
        var bindings = (server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [])
            .Select(BindingAddress.Parse).ToList();
        var preferred = bindings.Any(b => IsHttps(b)) ? bindings.Where(b => IsHttps(b)) : bindings;
        var identity = certificates.Identity;
        return preferred.SelectMany(b => HostsFor(b, identity).Select(host => Url(b, host))).Distinct().ToList();
    }

    private static IEnumerable<string> HostsFor(BindingAddress binding, HostIdentity identity)
    {
        var names = identity.DnsNames.Where(n => n != "localhost").OrderByDescending(n => n.EndsWith(".local")).ToList();
        if (binding.Host is "*" or "+" || (IPAddress.TryParse(binding.Host.Trim('[', ']'), out var any) && IsAny(any)))
        {
            var ipv4Only = binding.Host == "0.0.0.0";
            var addresses = identity.LanAddresses
                .Where(a => !ipv4Only || a.AddressFamily == AddressFamily.InterNetwork)
                .OrderBy(a => a.AddressFamily);
            return addresses.Where(a => a.AddressFamily == AddressFamily.InterNetwork).Select(Host)
                .Concat(names)
                .Concat(addresses.Where(a => a.AddressFamily == AddressFamily.InterNetworkV6).Select(Host));
        }
        if (IPAddress.TryParse(binding.Host.Trim('[', ']'), out var address))
            return IPAddress.IsLoopback(address) ? [] : [Host(address)];
        return binding.Host == "localhost" ? [] : [binding.Host];
    }

    private static bool IsHttps(BindingAddress binding) =>
        string.Equals(binding.Scheme, "https", StringComparison.OrdinalIgnoreCase);

    private static bool IsAny(IPAddress address) => address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any);

    private static string Host(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();

    private static string Url(BindingAddress binding, string host)
    {
        var defaultPort = IsHttps(binding) ? 443 : 80;
        return binding.Port == defaultPort ? $"{binding.Scheme}://{host}/" : $"{binding.Scheme}://{host}:{binding.Port}/";
    }
}
