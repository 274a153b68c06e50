using System.Runtime;

namespace Peercall.Floor.Server;

/// <summary>Rewrites one line of GC figures into a file every second, for run.sh to read.</summary>
public static class GcStats
{
    public static void StartWriting(string path)
    {
        // Never forces a collection: the figures are what the server holds on its own.
        var writer = new Thread(() =>
        {
            while (true)
            {
                var info = GC.GetGCMemoryInfo();
                var line = $"total={GC.GetTotalMemory(false)} heapLastGC={info.HeapSizeBytes} " +
                    $"committed={info.TotalCommittedBytes} gen0={GC.CollectionCount(0)} gen1={GC.CollectionCount(1)} " +
                    $"gen2={GC.CollectionCount(2)} serverGC={GCSettings.IsServerGC} rawConnections={IdleConnectionHandler.Open}";
                // Written beside and moved over, so a reader never sees half a line.
                File.WriteAllText(path + ".tmp", line + "\n");
                File.Move(path + ".tmp", path, overwrite: true);
                Thread.Sleep(1000);
            }
        }) { IsBackground = true };
        writer.Start();
    }
}
