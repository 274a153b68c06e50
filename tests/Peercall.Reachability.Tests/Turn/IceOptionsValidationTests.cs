using Microsoft.Extensions.Options;
using Peercall.Server.Tests.Infrastructure;

namespace Peercall.Reachability.Tests.Turn;

/// <summary>A TURN setup that cannot work stops the server at start-up, with a message naming the setting.</summary>
public sealed class IceOptionsValidationTests
{
    [Theory]
    [InlineData("Peercall:Ice:Turn:Urls:0", "turn:127.0.0.1:3478", "SharedSecret must be set")]
    [InlineData("Peercall:Ice:Turn:SharedSecret", "a-secret-with-no-turn-urls", "Urls is empty")]
    [InlineData("Peercall:Ice:StunUrls:0", "http://127.0.0.1:3478", "does not start with 'stun:'")]
    public void A_broken_ice_configuration_stops_the_server(string key, string value, string message)
    {
        var data = PeercallServer.NewDataDirectory();
        Exception e;
        try
        {
            e = Assert.ThrowsAny<Exception>(() => new PeercallServer(new() { [key] = value }, data));
        }
        finally
        {
            if (Directory.Exists(data)) Directory.Delete(data, recursive: true);
        }
        var validation = Assert.IsType<OptionsValidationException>(e.GetBaseException());
        Assert.Contains(message, validation.Message);
    }
}
