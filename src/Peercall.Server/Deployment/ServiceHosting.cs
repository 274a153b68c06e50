using Microsoft.Extensions.Hosting.WindowsServices;

namespace Peercall.Server.Deployment;

/// <summary>Runs as a systemd service or a Windows service when started by one; otherwise changes nothing.</summary>
public static class ServiceHosting
{
    /// <summary>A Windows service starts in C:\Windows\System32: its content root (appsettings.json, wwwroot, a
    /// relative data folder) is then the program's own folder.</summary>
    public static WebApplicationOptions Options(string[] args) => new()
    {
        Args = args,
        ContentRootPath = WindowsServiceHelpers.IsWindowsService() ? AppContext.BaseDirectory : null,
    };

    public static WebApplicationBuilder AddServiceHosting(this WebApplicationBuilder builder)
    {
        // Startup and shutdown reported to systemd (Type=notify), logs in journald's format.
        builder.Services.AddSystemd();
        builder.Services.AddWindowsService(options => options.ServiceName = "Peercall");
        return builder;
    }
}
