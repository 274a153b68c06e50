using System.Text.RegularExpressions;

namespace Peercall.Bench.Cluster;

/// <summary>Reads what a node logged for warnings and errors, so that a run reports trouble its figures hide.</summary>
public static partial class NodeLogs
{
    /// <summary>Counts the console logger's "warn:" and "fail:"/"crit:" entries, grouped by their message with
    /// every word that holds a digit (ids, counts, times) blanked out.</summary>
    public static NodeLog Read(string node, string logFile)
    {
        if (!File.Exists(logFile)) return new NodeLog(node, 0, 0, []);
        var lines = File.ReadAllLines(logFile);
        int warnings = 0, errors = 0;
        var samples = new Dictionary<string, int>();
        for (var i = 0; i < lines.Length; i++)
        {
            var level = lines[i].Length >= 5 ? lines[i][..5] : "";
            if (level is not ("warn:" or "fail:" or "crit:")) continue;
            if (level == "warn:") warnings++;
            else errors++;
            var message = i + 1 < lines.Length ? lines[i + 1].Trim() : "";
            var key = $"{level} {Variable().Replace(message, "…")}";
            if (key.Length > 200) key = key[..200] + "…";
            samples[key] = samples.GetValueOrDefault(key) + 1;
        }
        return new NodeLog(node, warnings, errors, samples);
    }

    [GeneratedRegex(@"[^\s\[\]()'=,;]*\d[^\s\[\]()'=,;]*")]
    private static partial Regex Variable();
}
