using System.ComponentModel.DataAnnotations;

namespace Peercall.Server.Hosting;

public sealed class MemoryTrimOptions
{
    public const string Section = "Peercall:Memory";

    /// <summary>Give the memory a burst of work left behind back to the system once the server is quiet again.</summary>
    public bool TrimWhenIdle { get; set; } = true;

    /// <summary>How long allocation must stay quiet before the heap is trimmed.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan QuietFor { get; set; } = TimeSpan.FromSeconds(5);
}
