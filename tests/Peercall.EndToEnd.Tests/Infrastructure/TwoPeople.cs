using static Microsoft.Playwright.Assertions;

namespace Peercall.EndToEnd.Tests.Infrastructure;

/// <summary>
/// Alice (440 Hz; a red camera when there are cameras) and Bob (1000 Hz; blue), each in their own browser and
/// signed up: the start of the call tests. What each side then hears and sees can only be the other's.
/// </summary>
public sealed class TwoPeople : IAsyncDisposable
{
    private TwoPeople(Person alice, Person bob)
    {
        Alice = alice;
        Bob = bob;
    }

    public Person Alice { get; }
    public Person Bob { get; }

    /// <param name="voiceProcessing">As for real users; off by default so the tones arrive at full level.</param>
    public static async Task<TwoPeople> SignUpAsync(EndToEndFixture env, bool cameras = false, bool voiceProcessing = false)
    {
        var alice = await Person.LaunchAsync(env, "alice",
            new BrowserOptions(ToneHertz: 440, Camera: cameras ? Colour.Red : null, VoiceProcessing: voiceProcessing));
        TwoPeople? people = null;
        try
        {
            people = new TwoPeople(alice, await Person.LaunchAsync(env, "bob",
                new BrowserOptions(ToneHertz: 1000, Camera: cameras ? Colour.Blue : null, VoiceProcessing: voiceProcessing)));
            await alice.SignUpAsync();
            await people.Bob.SignUpAsync();
            return people;
        }
        catch
        {
            await (people?.DisposeAsync() ?? alice.DisposeAsync());
            throw;
        }
    }

    /// <summary>Alice calls Bob (with video or voice only) and Bob accepts; returns once audio flows both ways.</summary>
    public async Task ConnectAsync(bool video)
    {
        await (video ? Alice.VideoCallAsync(Bob) : Alice.CallAsync(Bob));
        await Bob.IncomingCall.GetByTestId("accept").ClickAsync();
        await Task.WhenAll(Alice.ExpectAudioArrivedAsync(), Bob.ExpectAudioArrivedAsync());
    }

    public void Deconstruct(out Person alice, out Person bob) => (alice, bob) = (Alice, Bob);

    public async ValueTask DisposeAsync()
    {
        await Bob.DisposeAsync();
        await Alice.DisposeAsync();
    }
}
