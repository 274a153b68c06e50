using System.Diagnostics;
using System.Text.Json;
using Peercall.Bench.Load;
using Peercall.Bench.Servers;
using Peercall.Client;
using Peercall.Contracts.Accounts;

namespace Peercall.Bench.Users;

/// <summary>
/// The users a run needs, created through the REST API. Registering and signing in cost a password hash each
/// (about 50 ms of CPU here), so ten thousand users take minutes: the first run with a given count keeps the
/// resulting data folder and refresh tokens as a seed under results/tmp/, and later runs start from a fresh copy
/// of it and only refresh the tokens, which hashes nothing.
/// </summary>
public sealed class UserDirectory(string seedRoot, Action<string> progress)
{
    private const string Password = "bench-password-1";
    private const string SeedFile = "users.json";

    private sealed record SeedUser(Guid Id, string Username, string RefreshToken);

    /// <summary>Fills <paramref name="server"/>'s (stopped) data folder with <paramref name="count"/> users and
    /// returns them signed in. The server is left running.</summary>
    public async Task<BenchUser[]> PrepareAsync(PeercallServer server, int count, bool useSeed, TimeSpan startTimeout)
    {
        var seed = Path.Combine(seedRoot, $"users-{count}");
        if (useSeed && File.Exists(Path.Combine(seed, SeedFile)))
        {
            CopyFolder(Path.Combine(seed, "data"), server.DataFolder);
            await server.StartAsync(startTimeout);
            try
            {
                return await RefreshAsync(server, JsonSerializer.Deserialize<SeedUser[]>(
                    await File.ReadAllBytesAsync(Path.Combine(seed, SeedFile)), WorkerProtocol.Json)!);
            }
            catch (PeercallApiException e)
            {
                progress($"The cached users could not be signed in ({e.Message}); creating them again.");
                await server.StopAsync(TimeSpan.FromSeconds(30));
                Directory.Delete(server.DataFolder, recursive: true);
                Directory.Delete(seed, recursive: true);
            }
        }

        Directory.CreateDirectory(server.DataFolder);
        await server.StartAsync(startTimeout);
        var (users, seedUsers) = await CreateWithSeedsAsync(server, count);
        if (useSeed)
        {
            await server.StopAsync(TimeSpan.FromSeconds(30));
            CopyFolder(server.DataFolder, Path.Combine(seed, "data"));
            await File.WriteAllBytesAsync(Path.Combine(seed, SeedFile), JsonSerializer.SerializeToUtf8Bytes(seedUsers, WorkerProtocol.Json));
            await server.StartAsync(startTimeout);
        }
        return users;
    }

    /// <summary>Creates <paramref name="count"/> users on a running server, with no cache: a cluster run starts
    /// from an empty PostgreSQL database every time.</summary>
    public async Task<BenchUser[]> CreateAsync(ServerProcess server, int count) => (await CreateWithSeedsAsync(server, count)).Users;

    private async Task<(BenchUser[] Users, SeedUser[] Seeds)> CreateWithSeedsAsync(ServerProcess server, int count)
    {
        using var http = server.CreateHttpClient(TimeSpan.FromMinutes(2));
        var users = new BenchUser[count];
        var seeds = new SeedUser[count];
        var done = 0;
        var watch = Stopwatch.StartNew();
        // Hashing is CPU-bound on the server: a little more parallelism than cores keeps both busy.
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (i, ct) =>
        {
            var username = $"bench{i:D5}";
            var api = new PeercallApi(http);
            var profile = await api.RegisterAsync(new RegisterRequest(username, Password, $"Bench {i}"), ct);
            var pair = await api.LoginAsync(new LoginRequest(username, Password), ct);
            users[i] = new BenchUser(profile.Id, username, pair.AccessToken);
            seeds[i] = new SeedUser(profile.Id, username, pair.RefreshToken);
            var n = Interlocked.Increment(ref done);
            if (n % 500 == 0 || n == count) progress($"  users created: {n}/{count} ({n / watch.Elapsed.TotalSeconds:0}/s)");
        });
        return (users, seeds);
    }

    private async Task<BenchUser[]> RefreshAsync(PeercallServer server, SeedUser[] seeds)
    {
        using var http = server.CreateHttpClient(TimeSpan.FromMinutes(2));
        var users = new BenchUser[seeds.Length];
        var done = 0;
        await Parallel.ForAsync(0, seeds.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
        {
            var api = new PeercallApi(http);
            api.RestoreSession(new TokenPair("", seeds[i].RefreshToken, DateTimeOffset.MinValue,
                new UserProfile(seeds[i].Id, seeds[i].Username, "", DateTimeOffset.MinValue)));
            var pair = await api.RefreshAsync(ct);
            users[i] = new BenchUser(seeds[i].Id, seeds[i].Username, pair.AccessToken);
            var n = Interlocked.Increment(ref done);
            if (n % 2000 == 0 || n == seeds.Length) progress($"  users signed in from the cache: {n}/{seeds.Length}");
        });
        return users;
    }

    private static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)), overwrite: true);
    }
}
