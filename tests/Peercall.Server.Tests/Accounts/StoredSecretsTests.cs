using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Peercall.Server.Tests.Infrastructure;

namespace Peercall.Server.Tests.Accounts;

/// <summary>What the SQLite file really holds: no password and no refresh token in a form that could be used.
/// The server hashes passwords exactly as in production here.</summary>
public sealed class StoredSecretsTests(StoredSecretsTests.ProductionServer fixture)
    : IClassFixture<StoredSecretsTests.ProductionServer>
{
    private readonly PeercallServer server = fixture.Server;

    public sealed class ProductionServer : IAsyncDisposable
    {
        public PeercallServer Server { get; } = new(null, productionPasswordHashing: true);

        public ValueTask DisposeAsync() => Server.DisposeAsync();
    }

    [Fact]
    public async Task Passwords_are_stored_as_identity_pbkdf2_hashes()
    {
        const string password = "a memorable passphrase";
        var user = await server.SignUpAsync("hashed", password);

        await using var db = server.OpenDatabase();
        using var command = db.CreateCommand();
        command.CommandText = "SELECT \"PasswordHash\" FROM \"AspNetUsers\" WHERE \"Id\" = @id";
        command.AddParameter("id", TestDatabase.Stored(user.Id));
        var stored = (string)command.ExecuteScalar()!;

        Assert.DoesNotContain(password, stored);
        var bytes = Convert.FromBase64String(stored);
        Assert.Equal(0x01, bytes[0]); // Identity's v3 format: PBKDF2 with a per-user salt
        var prf = BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(1));
        var iterations = BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(5));
        var saltLength = BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(9));
        Assert.Equal(2u, prf); // HMAC-SHA512
        Assert.True(iterations >= 100_000, $"Only {iterations} PBKDF2 iterations.");
        Assert.True(saltLength >= 16);
        Assert.NotEqual(Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(password))),
            Convert.ToHexString(bytes), StringComparer.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Two_users_with_the_same_password_get_different_hashes()
    {
        var first = await server.SignUpAsync("same", "shared password");
        var second = await server.SignUpAsync("same", "shared password");

        await using var db = server.OpenDatabase();
        Assert.NotEqual(HashOf(db, first.Id), HashOf(db, second.Id));
    }

    [Fact]
    public async Task Neither_passwords_nor_refresh_tokens_appear_anywhere_in_the_database_files()
    {
        const string password = "findable-plaintext-7f3a";
        var user = await server.SignUpAsync("plain", password);
        var refreshToken = user.Api.Session!.RefreshToken;

        foreach (var bytes in await TestDatabase.RawContentsAsync(server.DataDirectory))
        {
            Assert.Equal(-1, bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(password)));
            Assert.Equal(-1, bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(refreshToken)));
        }

        await using var db = server.OpenDatabase();
        using var command = db.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM \"RefreshTokens\" WHERE \"TokenHash\" = @hash";
        command.AddParameter("hash", Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(refreshToken))));
        Assert.Equal(1L, (long)command.ExecuteScalar()!);
    }

    private static string HashOf(System.Data.Common.DbConnection db, Guid id)
    {
        using var command = db.CreateCommand();
        command.CommandText = "SELECT \"PasswordHash\" FROM \"AspNetUsers\" WHERE \"Id\" = @id";
        command.AddParameter("id", TestDatabase.Stored(id));
        return (string)command.ExecuteScalar()!;
    }
}
