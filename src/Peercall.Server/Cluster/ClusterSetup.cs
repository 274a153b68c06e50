using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Peercall.Server.Accounts;
using Peercall.Server.Calls;
using Peercall.Server.Data;
using Peercall.Server.Presence;
using StackExchange.Redis;

namespace Peercall.Server.Cluster;

public static class ClusterSetup
{
    /// <summary>With Peercall:Redis:ConnectionString set, this node joins the others through Redis: presence, call
    /// bindings and the call placement lock move there, the node heartbeats, a signal for another node's connection
    /// and every realtime event for a connection, a user or a group on another node goes through SignalR's Redis
    /// backplane. Without it nothing is added. Call it after the features, whose node-local parts it replaces.</summary>
    public static WebApplicationBuilder AddCluster(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<ClusterOptions>().BindConfiguration(ClusterOptions.Section).ValidateDataAnnotations()
            .Validate(o => o.NodeTimeout >= 2 * o.HeartbeatInterval,
                "Peercall:Redis:NodeTimeout must be at least two heartbeat intervals long.")
            // Nodes that each kept their own SQLite file, or each generated their own signing key, would not be
            // one server: refuse to start rather than fail in confusing ways later.
            .Validate<IOptions<DatabaseOptions>>((o, database) => !o.Enabled || database.Value.Provider == DatabaseOptions.Postgres,
                "Nodes that share Redis must share one database too: set Peercall:Database:Provider to 'postgres' " +
                "and Peercall:Database:ConnectionString.")
            .Validate<IOptions<AuthOptions>>((o, auth) => !o.Enabled || !string.IsNullOrWhiteSpace(auth.Value.SigningKey),
                "Nodes that share Redis must sign access tokens with one key: set Peercall:Auth:SigningKey (base64 of " +
                "at least 32 bytes, e.g. from 'openssl rand -base64 64') to the same value on every node.")
            .ValidateOnStart();

        var cluster = builder.Configuration.GetSection(ClusterOptions.Section).Get<ClusterOptions>() ?? new();
        if (!cluster.Enabled) return builder;

        services.AddSingleton<NodeIdentity>();
        services.AddSingleton<ClusterConnection>();
        services.AddHealthChecks().AddCheck<RedisHealthCheck>("redis");
        services.AddSingleton<RedisPresenceDirectory>();
        services.Replace(ServiceDescriptor.Singleton<IPresenceDirectory>(p => p.GetRequiredService<RedisPresenceDirectory>()));
        services.AddSingleton<RedisCallBindings>();
        services.Replace(ServiceDescriptor.Singleton<ICallBindings>(p => p.GetRequiredService<RedisCallBindings>()));
        services.Replace(ServiceDescriptor.Singleton<ICallPlacementLock, RedisCallPlacementLock>());
        services.AddHostedService<NodeHeartbeatService>();
        services.AddSignalR().AddStackExchangeRedis(options =>
        {
            options.Configuration = RedisConfiguration(cluster.ConnectionString!);
            options.Configuration.ChannelPrefix = RedisChannel.Literal($"{cluster.KeyPrefix}:signalr");
        });
        return builder;
    }

    /// <summary>Settings of StackExchange.Redis for every connection of a node: keep retrying instead of failing
    /// at start, so a node can start before Redis does.</summary>
    public static ConfigurationOptions RedisConfiguration(string connectionString)
    {
        var configuration = ConfigurationOptions.Parse(connectionString);
        configuration.AbortOnConnectFail = false;
        configuration.ClientName ??= "peercall";
        return configuration;
    }
}
