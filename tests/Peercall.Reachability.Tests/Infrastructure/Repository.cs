namespace Peercall.Reachability.Tests.Infrastructure;

public static class Repository
{
    /// <summary>The clone this test run was built from: the folder holding Peercall.sln.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>Debug or Release, as this test assembly was built.</summary>
    public static string Configuration { get; } = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;

    /// <summary>The server as the build left it, started with <c>dotnet</c> like the end-to-end tests do.</summary>
    public static string ServerDll => Path.Combine(Root, "src", "Peercall.Server", "bin", Configuration, "net10.0", "Peercall.Server.dll");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Peercall.sln"))) return dir.FullName;
        throw new InvalidOperationException($"No Peercall.sln above {AppContext.BaseDirectory}.");
    }
}
