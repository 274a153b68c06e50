using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Peercall.Server.Tests.Infrastructure;

/// <summary>Reads and writes compact JWTs by hand, to inspect the server's tokens and to forge bad ones.</summary>
public static class Jwt
{
    public static JsonElement Header(string token) => Part(token, 0);

    public static JsonElement Payload(string token) => Part(token, 1);

    public static DateTimeOffset Time(JsonElement payload, string claim) =>
        DateTimeOffset.FromUnixTimeSeconds(payload.GetProperty(claim).GetInt64());

    /// <summary>A token with this header and payload, signed with HMAC (HS256, HS384 or HS512 per the header's alg).</summary>
    public static string Sign(JsonObject header, JsonObject payload, byte[] key)
    {
        var signingInput = $"{Encode(header)}.{Encode(payload)}";
        var data = Encoding.ASCII.GetBytes(signingInput);
        var signature = header["alg"]!.GetValue<string>() switch
        {
            "HS256" => HMACSHA256.HashData(key, data),
            "HS384" => HMACSHA384.HashData(key, data),
            "HS512" => HMACSHA512.HashData(key, data),
            var alg => throw new ArgumentException($"Cannot sign with {alg}."),
        };
        return $"{signingInput}.{Base64Url(signature)}";
    }

    /// <summary>An `alg: none` token: the payload as given, no signature at all.</summary>
    public static string Unsigned(JsonObject payload) =>
        $"{Encode(new JsonObject { ["alg"] = "none", ["typ"] = "JWT" })}.{Encode(payload)}.";

    public static JsonObject HeaderObject(string token) => JsonNode.Parse(Decode(token.Split('.')[0]))!.AsObject();

    public static JsonObject PayloadObject(string token) => JsonNode.Parse(Decode(token.Split('.')[1]))!.AsObject();

    public static string Encode(JsonObject json) => Base64Url(Encoding.UTF8.GetBytes(json.ToJsonString()));

    public static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static JsonElement Part(string token, int index) =>
        JsonDocument.Parse(Decode(token.Split('.')[index])).RootElement.Clone();

    private static byte[] Decode(string part)
    {
        var base64 = part.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(base64.PadRight(base64.Length + (4 - base64.Length % 4) % 4, '='));
    }
}
