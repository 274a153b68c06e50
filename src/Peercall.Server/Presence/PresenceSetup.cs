namespace Peercall.Server.Presence;

public static class PresenceSetup
{
    public static WebApplicationBuilder AddPresence(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<PresenceTracker>();
        builder.Services.AddSingleton<IPresenceDirectory, NodePresenceDirectory>();
        builder.Services.AddSingleton<LastSeenRecorder>();
        builder.Services.AddSingleton<PresenceService>();
        return builder;
    }
}
