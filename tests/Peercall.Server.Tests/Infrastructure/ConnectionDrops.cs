using Microsoft.Extensions.DependencyInjection;
using Peercall.Contracts.Signaling;
using Peercall.Server.Calls;
using Peercall.Server.Signaling;

namespace Peercall.Server.Tests.Infrastructure;

/// <summary>A device's connection dropping the way a broken network drops it, and the server noticing.</summary>
public static class ConnectionDrops
{
    /// <summary>Drops a device's connection without closing it: the server ends the connection with an error after
    /// a message over its size limit.</summary>
    public static async Task DropAsync(TestDevice device)
    {
        var oversized = new Signal(Guid.NewGuid(), SignalKind.Offer, new string('x', SignalingSetup.MaxMessageBytes + 1));
        await Assert.ThrowsAnyAsync<Exception>(() => device.Connection.SendSignal(oversized));
        await device.Lost.Task.WaitAsync(TestDevice.EventTimeout);
    }

    /// <summary>The client and the server notice a drop each on their own; the grace period starts when the server
    /// does.</summary>
    public static async Task ServerNoticesLossAsync(PeercallServer server, Guid callId)
    {
        var active = server.Services.GetRequiredService<ActiveCalls>();
        using var timeout = new CancellationTokenSource(TestDevice.EventTimeout);
        while (active.Find(callId)?.LostSince(DateTime.MaxValue) is not { Count: > 0 }) await Task.Delay(10, timeout.Token);
    }
}
