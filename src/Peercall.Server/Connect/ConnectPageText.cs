using Microsoft.Net.Http.Headers;

namespace Peercall.Server.Connect;

/// <summary>The connect page's words, in the web app's languages. The fragments marked HTML are trusted markup
/// written here; everything from elsewhere is encoded by <see cref="ConnectPageHtml"/>.</summary>
public sealed record ConnectPageText
{
    public required string Language { get; init; }
    public required string Title { get; init; }
    public required string BackToApp { get; init; }
    /// <summary>HTML.</summary>
    public required string LoopbackOnly { get; init; }
    public required string ScanOrType { get; init; }
    public required string TrustTitle { get; init; }
    public required string TrustBody { get; init; }
    public required string Download { get; init; }
    public required string OrScan { get; init; }
    /// <summary>Per system, its name and its steps (HTML).</summary>
    public required IReadOnlyList<(string System, string Steps)> TrustSteps { get; init; }
    public required string OpenTitle { get; init; }
    public required string OwnCertificate { get; init; }
    public required string Fingerprints { get; init; }
    public required string AuthorityLabel { get; init; }
    public required string ServerLabel { get; init; }
    public required Func<string, string> ValidUntil { get; init; }
    public required string PublicKey { get; init; }

    public static readonly ConnectPageText English = new()
    {
        Language = "en",
        Title = "Connect another device",
        BackToApp = "← Back to Peercall",
        LoopbackOnly = "This server listens on this machine only, so no other device can reach it. Start it without " +
                       "<code>--urls</code> (or with an address other devices can reach) to call from the LAN.",
        ScanOrType = "On the other device, scan a code or type one of these addresses. Use one on the same network as the device.",
        TrustTitle = "1. Trust this server's certificate, once per device",
        TrustBody = "This server signs its HTTPS certificate with its own certificate authority. Install it on each " +
                    "device once; until then the browser warns that the connection is not private, and calls cannot " +
                    "start. Compare the fingerprint the device shows with the one below before you trust it.",
        Download = "Download the certificate (peercall-ca.crt)",
        OrScan = "Or scan this with the device to download it:",
        TrustSteps =
        [
            ("Android", "Download the file, then Settings → Security → More security settings → Encryption &amp; " +
                        "credentials → Install a certificate → CA certificate, and pick <code>peercall-ca.crt</code>."),
            ("iPhone and iPad", "Open the download link in Safari and allow the profile. Then Settings → General → VPN " +
                                "&amp; Device Management → install “Peercall local CA”, and Settings → General → About → " +
                                "Certificate Trust Settings → turn on full trust for it."),
            ("Windows", "Open the downloaded file → Install Certificate → Current User → Place all certificates in the " +
                        "following store → Trusted Root Certification Authorities. Restart the browser."),
            ("macOS", "Open the downloaded file; Keychain Access adds it. Double-click “Peercall local CA” → Trust → " +
                      "When using this certificate: Always Trust."),
            ("Linux", "<code>sudo cp peercall-ca.crt /usr/local/share/ca-certificates/ &amp;&amp; sudo " +
                      "update-ca-certificates</code>. Chrome and Chromium keep their own list: Settings → Privacy and " +
                      "security → Security → Manage certificates → Authorities → Import."),
            ("Firefox, on any system", "Settings → Privacy &amp; Security → Certificates → View Certificates → Authorities → " +
                                  "Import, and tick “Trust this CA to identify websites”."),
        ],
        OpenTitle = "2. Open one of the addresses above",
        OwnCertificate = "This server uses its operator's own certificate: devices that trust its issuer need nothing more.",
        Fingerprints = "Fingerprints",
        AuthorityLabel = "Certificate authority",
        ServerLabel = "Server certificate",
        ValidUntil = date => $"valid until {date}",
        PublicKey = "Public key SHA-256 (base64)",
    };

    public static readonly ConnectPageText Russian = new()
    {
        Language = "ru",
        Title = "Подключить другое устройство",
        BackToApp = "← Вернуться в Peercall",
        LoopbackOnly = "Этот сервер принимает подключения только с этого компьютера, поэтому другие устройства до него " +
                       "не достучатся. Чтобы звонить по локальной сети, запустите его без <code>--urls</code> (или с " +
                       "адресом, доступным другим устройствам).",
        ScanOrType = "На другом устройстве отсканируйте код или введите один из этих адресов — из той же сети, что и устройство.",
        TrustTitle = "1. Один раз на каждом устройстве доверьтесь сертификату сервера",
        TrustBody = "Этот сервер подписывает свой HTTPS-сертификат собственным центром сертификации. Установите его на " +
                    "каждое устройство один раз; до этого браузер предупреждает, что подключение не защищено, и звонки " +
                    "не начнутся. Прежде чем доверять, сравните отпечаток, который показывает устройство, с указанным ниже.",
        Download = "Скачать сертификат (peercall-ca.crt)",
        OrScan = "Или отсканируйте этот код устройством, чтобы скачать его:",
        TrustSteps =
        [
            ("Android", "Скачайте файл, затем Настройки → Безопасность → Другие настройки безопасности → Шифрование и " +
                        "учётные данные → Установить сертификат → Сертификат ЦС и выберите <code>peercall-ca.crt</code>."),
            ("iPhone и iPad", "Откройте ссылку для скачивания в Safari и разрешите загрузку профиля. Затем Настройки → " +
                              "Основные → VPN и управление устройством → установите «Peercall local CA», и Настройки → " +
                              "Основные → Об этом устройстве → Доверие сертификатам → включите полное доверие к нему."),
            ("Windows", "Откройте скачанный файл → Установить сертификат → Текущий пользователь → Поместить все " +
                        "сертификаты в следующее хранилище → Доверенные корневые центры сертификации. Перезапустите браузер."),
            ("macOS", "Откройте скачанный файл — его добавит Связка ключей. Дважды щёлкните «Peercall local CA» → Доверие → " +
                      "При использовании этого сертификата: Всегда доверять."),
            ("Linux", "<code>sudo cp peercall-ca.crt /usr/local/share/ca-certificates/ &amp;&amp; sudo " +
                      "update-ca-certificates</code>. У Chrome и Chromium свой список: Настройки → Конфиденциальность и " +
                      "безопасность → Безопасность → Настроить сертификаты → Центры сертификации → Импорт."),
            ("Firefox в любой системе", "Настройки → Приватность и защита → Сертификаты → Просмотр сертификатов → Центры " +
                                    "сертификации → Импортировать и отметьте «Доверять при идентификации веб-сайтов»."),
        ],
        OpenTitle = "2. Откройте один из адресов выше",
        OwnCertificate = "Этот сервер использует собственный сертификат владельца: устройствам, которые доверяют его " +
                         "издателю, больше ничего не нужно.",
        Fingerprints = "Отпечатки",
        AuthorityLabel = "Центр сертификации",
        ServerLabel = "Сертификат сервера",
        ValidUntil = date => $"действителен до {date}",
        PublicKey = "SHA-256 открытого ключа (base64)",
    };

    private static readonly ConnectPageText[] Available = [English, Russian];

    /// <summary>The language the app asked for (<c>?lang=</c>, which the app's link passes), else the browser's
    /// most preferred one that the page has, else English.</summary>
    public static ConnectPageText For(HttpRequest request)
    {
        if (Find(request.Query["lang"].ToString()) is { } asked) return asked;
        var preferred = request.GetTypedHeaders().AcceptLanguage
            .OrderByDescending(l => l.Quality ?? 1)
            .Select(l => Find(l.Value.Value?.Split('-')[0]))
            .FirstOrDefault(t => t is not null);
        return preferred ?? English;
    }

    private static ConnectPageText? Find(string? language) =>
        Available.FirstOrDefault(t => string.Equals(t.Language, language, StringComparison.OrdinalIgnoreCase));
}
