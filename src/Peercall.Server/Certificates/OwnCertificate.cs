using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Peercall.Server.Certificates;

/// <summary>Loads an operator's certificate: PEM (certificate first, then its chain; key in the same file or
/// beside it) or PFX/PKCS#12.</summary>
public static class OwnCertificate
{
    /// <summary>The certificate with its private key first, then the rest of its chain.</summary>
    public static IReadOnlyList<X509Certificate2> Load(OwnCertificateOptions options)
    {
        var path = options.Path!;
        if (!File.Exists(path)) throw Problem(path, "the file does not exist");
        if (options.KeyPath is { } keyPath && !File.Exists(keyPath)) throw Problem(keyPath, "the key file does not exist");
        try
        {
            var extension = Path.GetExtension(path).ToLowerInvariant();
            return extension is ".pfx" or ".p12" ? FromPkcs12(path, options.Password) : FromPem(path, options.KeyPath, options.Password);
        }
        catch (CryptographicException e)
        {
            throw Problem(path, e.Message);
        }
    }

    private static List<X509Certificate2> FromPkcs12(string path, string? password)
    {
        var all = X509CertificateLoader.LoadPkcs12CollectionFromFile(path, password);
        var leaf = all.FirstOrDefault(c => c.HasPrivateKey) ?? throw Problem(path, "it holds no private key");
        return [leaf, .. all.Where(c => !ReferenceEquals(c, leaf))];
    }

    private static List<X509Certificate2> FromPem(string path, string? keyPath, string? password)
    {
        using var withKey = password is null
            ? X509Certificate2.CreateFromPemFile(path, keyPath)
            : X509Certificate2.CreateFromEncryptedPemFile(path, password, keyPath);
        var chain = new X509Certificate2Collection();
        chain.ImportFromPemFile(path);
        return [CertificateFolder.Usable(withKey), .. chain.Skip(1)];
    }

    private static InvalidOperationException Problem(string path, string why) =>
        new($"Peercall:Https:Certificate: cannot use '{path}': {why}.");
}
