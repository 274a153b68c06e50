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
        var ownerFile = System.IO.Path.Combine(path, OwnerFile);
        // The owner writes the file just after creating the folder: a folder caught in between is not abandoned.
        if (!System.IO.File.Exists(ownerFile)) return Directory.GetLastWriteTimeUtc(path) > DateTime.UtcNow.AddMinutes(-1);
        try
        {
            var owner = System.IO.File.ReadAllText(ownerFile).Split(' ');
            using var process = Process.GetProcessById(int.Parse(owner[0]));
            // Each process works out another's start time from its own reading of the boot time, so two readings
            // of the same start differ by up to a millisecond: comparing ticks exactly took live services for
            // abandoned ones (and stopped another test run's PostgreSQL under it).
            return Math.Abs(process.StartTime.Ticks - long.Parse(owner[1])) < TimeSpan.TicksPerSecond;
        }
        catch (Exception e) when (e is IOException or ArgumentException or FormatException or IndexOutOfRangeException
                                      or InvalidOperationException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
