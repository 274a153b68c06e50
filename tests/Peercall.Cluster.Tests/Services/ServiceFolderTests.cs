using System.Diagnostics;
using Peercall.Cluster.Tests.Infrastructure;

namespace Peercall.Cluster.Tests.Services;

/// <summary>The clean-up of services left behind by killed runs must never stop those of a run that is alive:
/// the test projects run side by side, and two of them start PostgreSQL.</summary>
public sealed class ServiceFolderTests
{
    [Fact]
    public void A_live_owner_is_recognised_although_its_start_time_was_read_a_millisecond_apart()
    {
        var folder = ServiceFolder.Create("folder-test");
        try
        {
            // What another process may compute for this process's start time: its own reading of the boot time.
            using var self = Process.GetCurrentProcess();
            File.WriteAllText(folder.File("owner"), $"{self.Id} {self.StartTime.Ticks + TimeSpan.TicksPerMillisecond}");

            Assert.DoesNotContain(folder.Path, ServiceFolder.Abandoned("folder-test").Select(f => f.Path));
        }
        finally
        {
            folder.Delete();
        }
    }

    [Fact]
    public async Task A_folder_whose_owner_has_exited_is_abandoned()
    {
        var folder = ServiceFolder.Create("folder-test");
        try
        {
            using var exited = Process.Start(new ProcessStartInfo("true"))!;
            await exited.WaitForExitAsync();
            File.WriteAllText(folder.File("owner"), $"{exited.Id} {DateTime.Now.Ticks}");

            Assert.Contains(folder.Path, ServiceFolder.Abandoned("folder-test").Select(f => f.Path));
        }
        finally
        {
            folder.Delete();
        }
    }
}
