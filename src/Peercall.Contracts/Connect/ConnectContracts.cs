namespace Peercall.Contracts.Connect;

/// <summary>How another device reaches this server: every LAN address, the certificate authority to trust
/// (absent when the server uses an operator's own certificate) and the fingerprints to compare.</summary>
/// <param name="Urls">Every URL another device on the LAN can open, HTTPS when the server has it.</param>
/// <param name="AuthorityCertificatePath">Where the CA certificate (PEM) is downloaded, relative to any of the URLs.</param>
public sealed record ConnectInfo(
    IReadOnlyList<string> Urls,
    string? AuthorityCertificatePath,
    CertificateSummary? Authority,
    CertificateSummary Server);

/// <param name="Sha256">SHA-256 of the certificate, as hex pairs separated by colons, the way browsers show it.</param>
/// <param name="SpkiSha256">Base64 SHA-256 of the public key (what Chromium's --ignore-certificate-errors-spki-list
/// and key pinning take).</param>
public sealed record CertificateSummary(string Subject, string Sha256, string SpkiSha256, DateTimeOffset NotAfter);
