using System.Net;
using System.Security.Cryptography;
using Peercall.Contracts;
using Peercall.Contracts.Accounts;
using Peercall.Server.Accounts;
using Peercall.Server.Tests.Infrastructure;

namespace Peercall.Server.Tests.Accounts;

/// <summary>Each test starts its own servers: the key is read once, at start-up.</summary>
public sealed class SigningKeyTests
{
    [Fact]
    public async Task A_key_is_generated_into_the_data_folder_on_first_start_and_reused_after_a_restart()
    {
        var folder = PeercallServer.NewDataDirectory();
        try
        {
            string token;
            string key;
            await using (var first = new PeercallServer(null, folder))
            {
                var keyFile = Path.Combine(folder, SigningKey.FileName);
                Assert.True(File.Exists(keyFile), "The key is made at start, before anyone signs in.");
                key = await File.ReadAllTextAsync(keyFile);
                var user = await first.SignUpAsync("restart");
                token = user.AccessToken;
                Assert.True(Convert.FromBase64String(key.Trim()).Length >= 32);
                if (!OperatingSystem.IsWindows())
                    Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));
            }

            await using var second = new PeercallServer(null, folder);
            Assert.Equal(key, await File.ReadAllTextAsync(Path.Combine(folder, SigningKey.FileName)));
            using var me = await second.SendAsync(HttpMethod.Get, "api/users/me", accessToken: token);
            Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        }
        finally
        {
            PeercallServer.DeleteDataDirectory(folder);
        }
    }

    [Fact]
    public async Task Two_data_folders_get_two_different_keys()
    {
        await using var one = new PeercallServer();
        await using var other = new PeercallServer();
        var user = await one.SignUpAsync("foreign");

        Assert.NotEqual(await File.ReadAllTextAsync(Path.Combine(one.DataDirectory, SigningKey.FileName)),
            await File.ReadAllTextAsync(Path.Combine(other.DataDirectory, SigningKey.FileName)));
        using var response = await other.SendAsync(HttpMethod.Get, "api/users/me", accessToken: user.AccessToken);
        await Refusals.ProblemAsync(response, HttpStatusCode.Unauthorized, ProblemCodes.Unauthorized);
    }

    [Fact]
    public async Task A_key_from_configuration_is_used_instead_of_a_generated_one()
    {
        var key = RandomNumberGenerator.GetBytes(32);
        await using var server = new PeercallServer(new() { ["Peercall:Auth:SigningKey"] = Convert.ToBase64String(key) });
        var user = await server.SignUpAsync("configured");

        Assert.False(File.Exists(Path.Combine(server.DataDirectory, SigningKey.FileName)));
        var parts = user.AccessToken.Split('.');
        var expected = Jwt.Base64Url(HMACSHA256.HashData(key, System.Text.Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}")));
        Assert.Equal(expected, parts[2]);

        // Anyone holding the configured key can mint tokens the server accepts, so the server really uses it.
        var forged = Jwt.Sign(Jwt.HeaderObject(user.AccessToken), Jwt.PayloadObject(user.AccessToken), key);
        using var me = await server.SendAsync(HttpMethod.Get, "api/users/me", accessToken: forged);
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
    }

    [Fact]
    public void A_configured_key_shorter_than_256_bits_stops_the_server_from_starting()
    {
        var e = Assert.ThrowsAny<Exception>(() =>
            new PeercallServer(new() { ["Peercall:Auth:SigningKey"] = Convert.ToBase64String(new byte[16]) }));
        Assert.Contains("at least 32 bytes", e.ToString());
    }

    [Fact]
    public async Task Tokens_from_a_server_with_another_configured_key_are_refused()
    {
        await using var server = new PeercallServer(new() { ["Peercall:Auth:SigningKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) });
        await using var other = new PeercallServer(new() { ["Peercall:Auth:SigningKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) });
        var user = await other.SignUpAsync("elsewhere");
        await server.NewApi().RegisterAsync(new RegisterRequest(user.Username, user.Password));

        using var response = await server.SendAsync(HttpMethod.Get, "api/users/me", accessToken: user.AccessToken);
        await Refusals.ProblemAsync(response, HttpStatusCode.Unauthorized, ProblemCodes.Unauthorized);
    }
}
