using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Peercall.Contracts.Connect;

namespace Peercall.Server.Connect;

public static class CertificateSummaries
{
    public static CertificateSummary Summarize(X509Certificate2 certificate) => new(
        certificate.Subject,
        Convert.ToHexString(SHA256.HashData(certificate.RawData)).Chunk(2).Select(pair => new string(pair))
            .Aggregate((a, b) => $"{a}:{b}"),
        Convert.ToBase64String(SHA256.HashData(certificate.PublicKey.ExportSubjectPublicKeyInfo())),
        certificate.NotAfter.ToUniversalTime());
}
