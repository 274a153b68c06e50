using Microsoft.Extensions.Options;

namespace Peercall.Server.Certificates;

/// <summary>Checks the server certificate every <see cref="HttpsOptions.CheckInterval"/>. A timer rather than the
/// operating system's address-change events: with a NetworkChange subscription the server's call-timeout tests
/// failed on this two-core machine (cause not pinned down), and a minute is soon enough for a new address.</summary>
public sealed class CertificateRenewalService(ServerCertificates certificates, IOptions<HttpsOptions> options,
    TimeProvider time, ILogger<CertificateRenewalService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (true)
            {
                await Task.Delay(options.Value.CheckInterval, time, stoppingToken);
                Check();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private void Check()
    {
        try
        {
            if (certificates.Refresh())
                logger.LogInformation("The HTTPS certificate was replaced; new connections get {Thumbprint}",
                    certificates.Certificate.Thumbprint);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException
                                      or System.Security.Cryptography.CryptographicException)
        {
            // The current certificate keeps being served; the next check tries again.
            logger.LogError(e, "Checking the HTTPS certificate failed");
        }
    }
}
