using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Peercall.Bench.Reporting;

public static class Machine
{
    public static MachineInfo Describe(string peerJsVersion, int nice)
    {
        var cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name"))?.Split(':', 2)[1].Trim() ?? "unknown";
        var memoryKb = long.Parse(File.ReadLines("/proc/meminfo").First().Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
        var os = File.Exists("/etc/os-release")
            ? File.ReadLines("/etc/os-release").FirstOrDefault(l => l.StartsWith("PRETTY_NAME="))?[13..].Trim('"') ?? "Linux"
            : RuntimeInformation.OSDescription;
        var load = double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        return new MachineInfo(cpu, Environment.ProcessorCount, Math.Round(memoryKb / 1024.0 / 1024.0, 1), os,
            File.ReadAllText("/proc/sys/kernel/osrelease").Trim(), RuntimeInformation.FrameworkDescription,
            Run("node", "--version"), peerJsVersion, OpenFileLimit(), load, nice);
    }

    private static int OpenFileLimit()
    {
        var line = File.ReadLines("/proc/self/limits").FirstOrDefault(l => l.StartsWith("Max open files"));
        var parts = line?.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return parts is { Length: > 4 } && int.TryParse(parts[3], out var soft) ? soft : -1;
    }

    private static string Run(string file, string arguments)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true })!;
            var output = process.StandardOutput.ReadToEnd().Trim();
            process.WaitForExit();
            return output;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "not found";
        }
    }
}
