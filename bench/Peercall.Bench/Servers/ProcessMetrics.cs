namespace Peercall.Bench.Servers;

/// <summary>What Linux says about a process: resident memory, CPU time, open files.</summary>
public static class ProcessMetrics
{
    private const double ClockTicksPerSecond = 100;

    /// <summary>VmRSS from /proc/PID/status, in kilobytes.</summary>
    public static long RssKb(int pid) => StatusField(pid, "VmRSS:");

    public static long Threads(int pid) => StatusField(pid, "Threads:");

    /// <summary>User plus system CPU time, in seconds.</summary>
    public static double CpuSeconds(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11]) + long.Parse(fields[12])) / ClockTicksPerSecond;
    }

    public static int OpenFiles(int pid)
    {
        try
        {
            return Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd").Count();
        }
        catch (IOException)
        {
            return -1;
        }
    }

    public static double CpuSecondsOf(IEnumerable<int> pids) => pids.Sum(pid =>
    {
        try
        {
            return CpuSeconds(pid);
        }
        catch (IOException)
        {
            return 0;
        }
    });

    private static long StatusField(int pid, string name)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            if (line.StartsWith(name, StringComparison.Ordinal))
                return long.Parse(line[name.Length..].Trim().Split(' ')[0]);
        return -1;
    }
}

/// <summary>CPU used over a stretch of time by the server (or all nodes of a cluster), by the load processes, and
/// by everything else on the machine (other people's builds and tests share these two cores), each in percent of
/// one core.</summary>
public sealed class CpuWindow
{
    private readonly int[] _servers;
    private readonly int[] _load;
    private readonly double _serverStart, _loadStart, _machineStart;
    private readonly System.Diagnostics.Stopwatch _watch = System.Diagnostics.Stopwatch.StartNew();

    public CpuWindow(int server, IEnumerable<int> load) : this([server], load)
    {
    }

    public CpuWindow(IEnumerable<int> servers, IEnumerable<int> load)
    {
        _servers = servers.ToArray();
        _load = load.ToArray();
        _serverStart = ProcessMetrics.CpuSecondsOf(_servers);
        _loadStart = ProcessMetrics.CpuSecondsOf(_load);
        _machineStart = MachineBusySeconds();
    }

    public (double Server, double Load, double Other) Percent()
    {
        var seconds = _watch.Elapsed.TotalSeconds;
        var server = ProcessMetrics.CpuSecondsOf(_servers) - _serverStart;
        var load = ProcessMetrics.CpuSecondsOf(_load) - _loadStart;
        var machine = MachineBusySeconds() - _machineStart;
        return (server / seconds * 100, load / seconds * 100, Math.Max(0, machine - server - load) / seconds * 100);
    }

    /// <summary>Busy time of all cores together, from the first line of /proc/stat.</summary>
    private static double MachineBusySeconds()
    {
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        // user nice system idle iowait irq softirq steal
        long Field(int i) => long.Parse(fields[i]);
        return (Field(1) + Field(2) + Field(3) + Field(6) + Field(7) + Field(8)) / 100.0;
    }
}
