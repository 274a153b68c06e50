using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;
using Peercall.Reachability.Tests.Infrastructure;
using Peercall.Server.Certificates;

namespace Peercall.Reachability.Tests.Https;

/// <summary>The running server's background check replaces its certificate, and new TLS connections get the new
/// one from the same process.</summary>
public sealed class RenewalWithoutRestartTests
{
    [Fact]
    public async Task A_certificate_in_its_renewal_window_is_replaced_and_served_without_a_restart()
    {
        await using var server = new HttpsTestServer();
        var certificates = server.Services.GetRequiredService<ServerCertificates>();
        var authority = X509Certificate2.CreateFromPem(certificates.Authority!.ExportCertificatePem());
        var first = await ServedAsync(server, authority);
        Assert.Equal(certificates.Certificate.Thumbprint, first.Thumbprint);

        // The clock set to the renewal window's start without firing a timer (the server's 1 s sweeps would fire
        // millions of times), then one check interval on: that check must renew.
        var options = new HttpsOptions();
        server.Time.AdjustTime(first.NotAfter.ToUniversalTime() - options.RenewBefore);
        server.Time.Advance(options.CheckInterval);
        await WaitUntilAsync(() => certificates.Certificate.Thumbprint != first.Thumbprint);

        var second = await ServedAsync(server, authority);
        Assert.NotEqual(first.Thumbprint, second.Thumbprint);
        Assert.True(second.NotAfter > first.NotAfter);
    }

    private static async Task<X509Certificate2> ServedAsync(HttpsTestServer server, X509Certificate2 authority)
    {
        X509Certificate2? served = null;
        using var client = TrustingClient.Create(authority, verificationTime: server.Time.GetUtcNow().UtcDateTime,
            seen: (c, _) => served = c);
        (await client.GetAsync(new Uri(server.BaseAddress, "healthz"))).EnsureSuccessStatusCode();
        return served!;
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 100 && !condition(); i++) await Task.Delay(50);
        Assert.True(condition(), "The background check did not renew the certificate within 5 s.");
    }
}
