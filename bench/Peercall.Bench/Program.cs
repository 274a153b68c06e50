using Peercall.Bench.Load;

namespace Peercall.Bench;

internal static class BenchProgram
{
    /// <summary><c>Peercall.Bench worker</c> is a load process started by the coordinator; anything else is a run.</summary>
    public static async Task<int> Main(string[] args)
    {
        if (args is ["worker", ..]) return await LoadWorker.RunAsync();

        BenchSettings settings;
        try
        {
            settings = BenchSettings.Parse(args);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }

        var root = FindRepositoryRoot(Directory.GetCurrentDirectory()) ?? FindRepositoryRoot(AppContext.BaseDirectory)
                   ?? throw new InvalidOperationException("Run the benchmark from inside the Peercall repository.");
        var command = "dotnet run -c Release --project bench/Peercall.Bench" + (args.Length > 0 ? " -- " + string.Join(' ', args) : "");
        return settings.IsCluster
            ? await new Cluster.ClusterRun(settings, root, command).RunAsync()
            : await new BenchRun(settings, root, command).RunAsync();
    }

    private static string? FindRepositoryRoot(string start)
    {
        for (var folder = new DirectoryInfo(start); folder is not null; folder = folder.Parent)
            if (File.Exists(Path.Combine(folder.FullName, "Peercall.sln")))
                return folder.FullName;
        return null;
    }
}
