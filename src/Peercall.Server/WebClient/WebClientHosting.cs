namespace Peercall.Server.WebClient;

public static class WebClientHosting
{
    public static WebApplication MapWebClient(this WebApplication app) => app;
}
