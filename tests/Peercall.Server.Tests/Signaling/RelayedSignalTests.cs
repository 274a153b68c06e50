using System.Text;
using System.Text.Json;
using Peercall.Contracts.Signaling;
using Peercall.Server.Realtime;
using Peercall.Server.Signaling;

namespace Peercall.Server.Tests.Signaling;

/// <summary>A signal read for relaying: checked as the contract reads it, and passed on with its payload intact.</summary>
public sealed class RelayedSignalTests
{
    private static readonly Guid CallId = Guid.Parse("6f1c2a34-5b6d-4e7f-8a9b-0c1d2e3f4a5b");

    private static RelayedSignal Read(string json) => JsonSerializer.Deserialize<RelayedSignal>(json, HubWire.Json)!;

    /// <summary>The signal the receiver's client reads from the frame.</summary>
    private static Signal Received(RelayedSignal relayed)
    {
        var frame = relayed.Frame.ToArray();
        var header = frame[1] < 126 ? 2 : 4;
        Assert.Equal(0x81, frame[0]);
        Assert.Equal(HubWire.RecordSeparator, frame[^1]);
        using var message = JsonDocument.Parse(frame.AsMemory(header, frame.Length - header - 1));
        Assert.Equal(HubRecord.Invocation, message.RootElement.GetProperty("type").GetInt32());
        Assert.Equal(nameof(ISignalingClient.Signal), message.RootElement.GetProperty("target").GetString());
        var arguments = message.RootElement.GetProperty("arguments");
        Assert.Equal(1, arguments.GetArrayLength());
        return arguments[0].Deserialize<Signal>(HubWire.Json)!;
    }

    [Theory]
    [InlineData("v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=Café ☎ 会议 🎧\r\n")]
    [InlineData("quotes \" and backslashes \\ and a tab \t and </script> & +")]
    [InlineData("")]
    public void The_payload_reaches_the_receiver_unchanged_and_is_measured_in_characters(string payload)
    {
        var sent = new Signal(CallId, SignalKind.Offer, payload);
        var relayed = Read(JsonSerializer.Serialize(sent, HubWire.Json));
        Assert.Equal((CallId, SignalKind.Offer, payload.Length), (relayed.CallId, relayed.Kind!.Value, relayed.PayloadLength!.Value));
        Assert.Equal(sent, Received(relayed));
    }

    [Fact]
    public void Properties_are_read_in_any_order_and_case_and_unknown_ones_are_dropped()
    {
        var relayed = Read($$"""{"PAYLOAD":"a=x","extra":{"deep":[1,2]},"Kind":"candidate","callid":"{{CallId}}"}""");
        Assert.Equal(new Signal(CallId, SignalKind.Candidate, "a=x"), Received(relayed));
        Assert.DoesNotContain("extra", Encoding.UTF8.GetString(relayed.Frame));
    }

    [Fact]
    public void An_escaped_payload_counts_its_characters_once_unescaped()
    {
        var relayed = Read($$"""{"callId":"{{CallId}}","kind":"answer","payload":"\u0041\n\ud83c\udfa7"}""");
        Assert.Equal(4, relayed.PayloadLength);
        Assert.Equal("A\n🎧", Received(relayed).Payload);
    }

    /// <summary>As the contract's converter reads kinds: by their wire names ("Candidate" is not one).</summary>
    [Theory]
    [InlineData("\"video\"")]
    [InlineData("\"Candidate\"")]
    [InlineData("9")]
    [InlineData("null")]
    [InlineData("""{"name":"offer"}""")]
    public void A_kind_the_contract_does_not_know_is_read_as_none_for_the_relay_to_refuse(string kind)
    {
        var relayed = Read($$"""{"callId":"{{CallId}}","kind":{{kind}},"payload":"v=0"}""");
        Assert.Null(relayed.Kind);
        Assert.Equal(3, relayed.PayloadLength);
    }

    [Fact]
    public void A_kind_given_as_its_number_is_read_as_the_contract_reads_it()
    {
        Assert.Equal(SignalKind.Answer, Read($$"""{"callId":"{{CallId}}","kind":1,"payload":"v=0"}""").Kind);
    }

    [Fact]
    public void A_missing_payload_is_read_as_none_for_the_relay_to_refuse()
    {
        Assert.Null(Read($$"""{"callId":"{{CallId}}","kind":"offer"}""").PayloadLength);
        Assert.Null(Read($$"""{"callId":"{{CallId}}","kind":"offer","payload":null}""").PayloadLength);
    }

    [Theory]
    [InlineData("""{"callId":"not a guid","kind":"offer","payload":"v=0"}""")]
    [InlineData("""{"callId":null,"kind":"offer","payload":"v=0"}""")]
    [InlineData("""{"callId":"6f1c2a34-5b6d-4e7f-8a9b-0c1d2e3f4a5b","kind":"offer","payload":42}""")]
    [InlineData("""["offer"]""")]
    [InlineData("\"offer\"")]
    public void A_signal_of_the_wrong_shape_is_not_a_signal(string json)
    {
        Assert.Throws<JsonException>(() => Read(json));
    }

    /// <summary>Refused as a bad argument (which the caller is told), not as a broken connection.</summary>
    [Fact]
    public void A_payload_that_is_not_text_is_a_bad_argument()
    {
        var record = Encoding.UTF8.GetBytes($$"""{"type":1,"target":"SendSignal","arguments":[{"callId":"{{CallId}}","kind":"offer","payload":"v=0 X"}]}""");
        record[Array.LastIndexOf(record, (byte)'X')] = 0xC3;
        var parsed = HubWire.Parse(record);
        var e = Assert.Throws<HubProtocolException>(() => HubWire.ReadArguments(record, parsed.ArgumentsStart, [typeof(RelayedSignal)], "SendSignal"));
        Assert.Equal("Argument 1 of SendSignal is not a Signal.", e.Message);
    }
}
