using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Peercall.Server.Hosting;

namespace Peercall.Server.Certificates;

/// <summary>
/// The generated certificates in the data folder, as PEM: <c>certificates/ca.crt</c> and <c>ca.key</c>, and
/// <c>server.crt</c> and <c>server.key</c>. Private keys are readable by the server's user only, and every file is
/// written whole or not at all.
/// </summary>
public sealed class CertificateFolder(DataFolder data)
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public string Path { get; } = data.File("certificates");
    public string AuthorityCertificate => File("ca.crt");
    public string ServerCertificate => File("server.crt");

    public X509Certificate2? LoadAuthority() => Load("ca");

    public X509Certificate2? LoadServer() => Load("server");

    public void SaveAuthority(X509Certificate2 certificate) => Save("ca", certificate);

    public void SaveServer(X509Certificate2 certificate) => Save("server", certificate);

    private X509Certificate2? Load(string name)
    {
        string certificatePath = File($"{name}.crt"), keyPath = File($"{name}.key");
        if (!System.IO.File.Exists(certificatePath) || !System.IO.File.Exists(keyPath)) return null;
        try
        {
            using var pem = X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
            return Usable(pem);
        }
        catch (CryptographicException)
        {
            // A half-written or mismatched pair: the caller makes a new one.
            return null;
        }
    }

    /// <summary>A certificate with a private key that TLS can use on every platform: Windows' TLS stack refuses the
    /// ephemeral keys that PEM loading and certificate creation produce, a PKCS#12 round trip gives a usable one.</summary>
    public static X509Certificate2 Usable(X509Certificate2 certificate) =>
        X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), password: null);

    private void Save(string name, X509Certificate2 certificate)
    {
        CreateFolder();
        using var key = certificate.GetECDsaPrivateKey()
                        ?? throw new InvalidOperationException("Only ECDSA certificates with their private key are stored.");
        WriteAtomically(File($"{name}.key"), key.ExportPkcs8PrivateKeyPem(), OwnerOnly);
        WriteAtomically(File($"{name}.crt"), certificate.ExportCertificatePem(), null);
    }

    private void CreateFolder()
    {
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(Path);
        else Directory.CreateDirectory(Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    private static void WriteAtomically(string path, string text, UnixFileMode? mode)
    {
        var temporary = path + ".tmp";
        System.IO.File.Delete(temporary);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (mode is { } m && !OperatingSystem.IsWindows()) options.UnixCreateMode = m;
        using (var stream = new FileStream(temporary, options))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(text);
            writer.Flush();
            stream.Flush(flushToDisk: true);
        }
        System.IO.File.Move(temporary, path, overwrite: true);
    }

    private string File(string name) => System.IO.Path.Combine(Path, name);
}
