using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.DependencyInjection;
using Peercall.Server.Hosting;
using Microsoft.AspNetCore.Builder;

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

    /// <summary>Built as Program builds the host (the test server's Kestrel is registered after the app's
    /// services, and so brings its own pool).</summary>
    [Fact]
    public async Task Kestrel_takes_its_blocks_from_it()
    {
        var builder = WebApplication.CreateBuilder();
        builder.AddPeercallHttp();
        await using var app = builder.Build();
        Assert.IsType<BoundedMemoryPoolFactory>(app.Services.GetRequiredService<IMemoryPoolFactory<byte>>());
    }
}
