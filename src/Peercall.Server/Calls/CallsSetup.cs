namespace Peercall.Server.Calls;

public static class CallsSetup
{
    public static WebApplicationBuilder AddCalls(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<CallOptions>().BindConfiguration(CallOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<IceOptions>().BindConfiguration(IceOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<ActiveCalls>();
        services.AddSingleton<ICallBindings, NodeCallBindings>();
        services.AddSingleton<ICallPlacementLock, CallPlacementGate>();
        services.AddSingleton<CallNotifier>();
        services.AddScoped<CallService>();
        services.AddScoped<CallHistory>();
        services.AddHostedService<CallTimeoutService>();
        return builder;
    }
}
