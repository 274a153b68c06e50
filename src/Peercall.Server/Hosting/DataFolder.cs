namespace Peercall.Server.Hosting;

/// <summary>The one folder that holds everything the server writes: the database, keys and certificates.</summary>
public sealed class DataFolder
{
    public DataFolder(IConfiguration configuration, IHostEnvironment environment)
    {
        var configured = configuration["Peercall:DataDirectory"] ?? "data";
        Path = System.IO.Path.GetFullPath(configured, Directory.GetCurrentDirectory());
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);
}
