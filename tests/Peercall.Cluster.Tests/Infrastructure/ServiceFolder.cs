using System.Diagnostics;

namespace Peercall.Cluster.Tests.Infrastructure;

/// <summary>
/// The temporary folder of one service (a PostgreSQL or Redis server) that a test run started. It names the test
/// process that owns it, so that a run which was killed before it could stop its services has them stopped by
/// the next run instead of leaving them running for ever.
/// </summary>
public sealed class ServiceFolder
{
    private const string OwnerFile = "owner";
    private static readonly string Root = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "peercall-test-services");

    private ServiceFolder(string path) => Path = path;

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public static ServiceFolder Create(string kind)
    {
        Directory.CreateDirectory(Root);
        var path = System.IO.Path.Combine(Root, $"{kind}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}");
        Directory.CreateDirectory(path);
        using var self = Process.GetCurrentProcess();
        System.IO.File.WriteAllText(System.IO.Path.Combine(path, OwnerFile), $"{self.Id} {self.StartTime.Ticks}");
        return new ServiceFolder(path);
    }

    /// <summary>Folders of <paramref name="kind"/> whose test process is gone.</summary>
    public static IEnumerable<ServiceFolder> Abandoned(string kind)
    {
        if (!Directory.Exists(Root)) yield break;
        foreach (var path in Directory.EnumerateDirectories(Root, $"{kind}-*"))
            if (!OwnerIsAlive(path)) yield return new ServiceFolder(path);
    }

    public void Delete()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    private static bool OwnerIsAlive(string path)
    {
        try
        {
            var owner = System.IO.File.ReadAllText(System.IO.Path.Combine(path, OwnerFile)).Split(' ');
            using var process = Process.GetProcessById(int.Parse(owner[0]));
            return process.StartTime.Ticks == long.Parse(owner[1]);
        }
        catch (Exception e) when (e is IOException or ArgumentException or FormatException or IndexOutOfRangeException
                                      or InvalidOperationException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
