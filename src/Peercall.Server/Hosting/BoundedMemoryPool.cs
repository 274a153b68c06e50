using System.Buffers;
using System.Collections.Concurrent;
using Microsoft.AspNetCore.Connections;

namespace Peercall.Server.Hosting;

/// <summary>
/// The blocks Kestrel reads and writes connections through, of which at most <see cref="MaxPooledBlocks"/> are kept
/// for reuse. Kestrel's own pool keeps every block it ever lent and gives them up by about 1 % every ten seconds while
/// traffic lasts: one presence change sent to 10,000 watchers lends a block to each of their connections at once,
/// and the pool then held 40 MB (2 KB per connection of an idle server at 19,000) for many minutes. Blocks beyond the
/// bound are left to the garbage collector as soon as they come back.
/// </summary>
public sealed class BoundedMemoryPool : MemoryPool<byte>
{
    /// <summary>The size of a block: a page, as Kestrel's own.</summary>
    public const int BlockSize = 4096;

    /// <summary>4 MB: what a busy LAN server keeps lending out at any moment; a fan-out borrows beyond it briefly.</summary>
    public const int MaxPooledBlocks = 1024;

    private readonly ConcurrentQueue<Block> _blocks = new();
    private int _pooled;

    public override int MaxBufferSize => BlockSize;

    /// <summary>Blocks waiting in the pool.</summary>
    public int Pooled => Volatile.Read(ref _pooled);

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minBufferSize, BlockSize);
        if (!_blocks.TryDequeue(out var block)) return new Block(this);
        Interlocked.Decrement(ref _pooled);
        return block;
    }

    protected override void Dispose(bool disposing) => _blocks.Clear();

    private void Return(Block block)
    {
        if (Interlocked.Increment(ref _pooled) <= MaxPooledBlocks) _blocks.Enqueue(block);
        else Interlocked.Decrement(ref _pooled);
    }

    /// <summary>An ordinary array, unlike Kestrel's blocks on the pinned object heap: the garbage collector cannot
    /// compact that heap, so the free space of dropped blocks stayed committed between the ones still pooled (60 MB
    /// after fan-outs to 10,000). A socket pins the array only while it reads into it or writes from it.</summary>
    private sealed class Block(BoundedMemoryPool pool) : IMemoryOwner<byte>
    {
        public Memory<byte> Memory { get; } = new byte[BlockSize];

        public void Dispose() => pool.Return(this);
    }
}

/// <summary>Gives Kestrel's transports a <see cref="BoundedMemoryPool"/>.</summary>
public sealed class BoundedMemoryPoolFactory : IMemoryPoolFactory<byte>
{
    public MemoryPool<byte> Create(MemoryPoolOptions? options = null) => new BoundedMemoryPool();
}
