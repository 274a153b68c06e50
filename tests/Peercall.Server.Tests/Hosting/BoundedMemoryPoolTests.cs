using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Peercall.Server.Hosting;

namespace Peercall.Server.Tests.Hosting;

public sealed class BoundedMemoryPoolTests
{
    [Fact]
    public void A_returned_block_is_lent_again()
    {
        using var pool = new BoundedMemoryPool();
        var first = pool.Rent();
        var memory = first.Memory;
        first.Dispose();
        using var second = pool.Rent();
        Assert.True(second.Memory.Span == memory.Span, "The pool lent a new block although one was waiting.");
        Assert.Equal(BoundedMemoryPool.BlockSize, second.Memory.Length);
    }

    [Fact]
    public void After_a_burst_it_keeps_no_more_than_its_bound()
    {
        using var pool = new BoundedMemoryPool();
        var burst = Enumerable.Range(0, BoundedMemoryPool.MaxPooledBlocks * 3).Select(_ => pool.Rent()).ToList();
        Assert.Equal(0, pool.Pooled);
        foreach (var block in burst) block.Dispose();
        Assert.Equal(BoundedMemoryPool.MaxPooledBlocks, pool.Pooled);
    }

    [Fact]
    public void A_block_larger_than_its_size_is_refused()
    {
        using var pool = new BoundedMemoryPool();
        Assert.Throws<ArgumentOutOfRangeException>(() => pool.Rent(BoundedMemoryPool.BlockSize + 1));
    }

    /// <summary>Kestrel's own pool counts each block it lends on the host's meter "Microsoft.AspNetCore.MemoryPool"
    /// (its instruments exist whether or not the pool is used); a host that serves a request with none counted
    /// lends from ours. The host is built as Program builds it: the test server registers its Kestrel after the
    /// app's services, and so its own pool.</summary>
    [Fact]
    public async Task Kestrel_takes_its_blocks_from_it()
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration["Peercall:Memory:TrimWhenIdle"] = "false";
        builder.AddPeercallHttp();
        await using var app = builder.Build();
        app.MapGet("/", () => "ok");
        var meters = app.Services.GetRequiredService<IMeterFactory>();
        var measured = new ConcurrentBag<string>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, meters)) l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((instrument, _, _, _) => measured.Add(instrument.Name));
        listener.SetMeasurementEventCallback<double>((instrument, _, _, _) => measured.Add(instrument.Name));
        listener.Start();

        await app.StartAsync();
        using (var client = new HttpClient { BaseAddress = new Uri(app.Urls.Single()) })
            Assert.Equal("ok", await client.GetStringAsync("/"));
        await app.StopAsync();

        Assert.Contains("http.server.request.duration", measured);
        Assert.DoesNotContain("aspnetcore.memory_pool.rented", measured);
    }
}
