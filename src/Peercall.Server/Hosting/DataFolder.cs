namespace Peercall.Server.Hosting;

/// <summary>The one folder that holds everything the server writes: the database, keys and certificates.</summary>
public sealed class DataFolder
{
    public DataFolder(IConfiguration configuration, IHostEnvironment environment)
    {
        var configured = configuration["Peercall:DataDirectory"] ?? "data";
        // Relative to the content root: the working directory, or the program's folder for a Windows service.
        Path = System.IO.Path.GetFullPath(configured, environment.ContentRootPath);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);
}
