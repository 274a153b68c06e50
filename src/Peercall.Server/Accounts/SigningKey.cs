using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using Peercall.Server.Hosting;

namespace Peercall.Server.Accounts;

/// <summary>The HMAC key that signs access tokens: from configuration, else generated once into the data folder.</summary>
public sealed class SigningKey
{
    public const string FileName = "jwt-signing.key";

    public SigningKey(IOptions<AuthOptions> options, DataFolder folder)
    {
        var bytes = options.Value.SigningKey is { Length: > 0 } configured
            ? Convert.FromBase64String(configured)
            : LoadOrCreate(folder.File(FileName));
        if (bytes.Length < 32)
            throw new InvalidOperationException("Peercall:Auth:SigningKey must be base64 of at least 32 bytes.");
        Key = new SymmetricSecurityKey(bytes) { KeyId = Convert.ToHexString(SHA256.HashData(bytes))[..16] };
    }

    public SymmetricSecurityKey Key { get; }

    private static byte[] LoadOrCreate(string path)
    {
        if (File.Exists(path)) return Convert.FromBase64String(File.ReadAllText(path).Trim());
        var bytes = RandomNumberGenerator.GetBytes(64);
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, Convert.ToBase64String(bytes));
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.Move(temporary, path, overwrite: false);
        return bytes;
    }
}
