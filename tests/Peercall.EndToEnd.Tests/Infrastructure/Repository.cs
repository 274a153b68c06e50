namespace Peercall.EndToEnd.Tests.Infrastructure;

/// <summary>Where the repository and the test artifacts are, wherever the tests run from.</summary>
public static class Repository
{
    public static string Root { get; } = FindRoot();

    /// <summary>artifacts/e2e: screenshots, server logs and measurements (the folder is gitignored).</summary>
    public static string Artifacts(params string[] parts)
    {
        var path = Path.Combine([Root, "artifacts", "e2e", .. parts]);
        Directory.CreateDirectory(Path.GetExtension(path).Length > 0 ? Path.GetDirectoryName(path)! : path);
        return path;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Peercall.sln"))) return dir.FullName;
        throw new InvalidOperationException("Peercall.sln not found above " + AppContext.BaseDirectory);
    }
}
