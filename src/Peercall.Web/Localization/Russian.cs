using Peercall.Contracts.Calls;

namespace Peercall.Web.Localization;

public static class Russian
{
    public static readonly UiText Text = new()
    {
        LanguageCode = "ru",
        LanguageName = "Русский",
        LanguageLabel = "Язык",
        AppTagline = "Голосовые звонки в вашей сети",
        Loading = "Загрузка…",
        Dismiss = "Закрыть",
        ShowMore = "Показать ещё",
        NotFound = "Здесь ничего нет.",
        UnexpectedError = "Что-то пошло не так. Попробуйте ещё раз.",
        ServerUnreachable = "Сервер недоступен. Проверьте подключение и попробуйте снова.",

        SignInTitle = "Вход",
        RegisterTitle = "Регистрация",
        Username = "Имя пользователя",
        Password = "Пароль",
        DisplayName = "Отображаемое имя",
        DisplayNameHint = "Необязательно: имя, которое видят другие",
        SignInButton = "Войти",
        RegisterButton = "Зарегистрироваться",
        ConnectDevice = "Добавить устройство",
        SignOut = "Выйти",
        NoAccountYet = "Нет учётной записи? Зарегистрируйтесь",
        AlreadyHaveAccount = "Уже есть учётная запись? Войдите",
        UsernameRequired = "Введите имя пользователя.",
        UsernameRule = "От 3 до 32 символов: буквы, цифры, точка, дефис или подчёркивание.",
        PasswordRequired = "Введите пароль.",
        PasswordTooShort = min => $"Не короче {min} {Plural(min, "символа", "символов", "символов")}.",
        PasswordTooLong = max => $"Не длиннее {max} {Plural(max, "символа", "символов", "символов")}.",
        DisplayNameTooLong = max => $"Не длиннее {max} {Plural(max, "символа", "символов", "символов")}.",
        UsernameTaken = "Это имя уже занято. Выберите другое.",
        InvalidCredentials = "Неверное имя пользователя или пароль.",
        AccountLocked = "Слишком много неудачных попыток: вход временно заблокирован.",
        RateLimited = "Слишком много попыток. Подождите немного и повторите.",
        SessionExpired = "Сеанс истёк. Войдите снова.",

        ContactsTitle = "Контакты",
        SearchPlaceholder = "Поиск людей",
        NoContacts = "Кроме вас, здесь пока никого нет.",
        NoMatches = query => $"Никто не найден по запросу «{query}».",
        PresenceOnline = "в сети",
        PresenceInCall = "разговаривает",
        PresenceOffline = "не в сети",
        LastSeenJustNow = "был(а) только что",
        LastSeenMinutes = n => $"был(а) {n} мин назад",
        LastSeenHours = n => $"был(а) {n} ч назад",
        LastSeenDays = n => n == 1 ? "был(а) вчера" : $"был(а) {n} {Plural(n, "день", "дня", "дней")} назад",
        Call = "Позвонить",
        CallPerson = name => $"Позвонить: {name}",

        Ringing = "Вызов…",
        Cancel = "Отменить",
        IncomingCall = "Входящий звонок",
        Accept = "Принять",
        Decline = "Отклонить",
        Connecting = "Соединение…",
        Mute = "Выключить микрофон",
        Unmute = "Включить микрофон",
        MicrophoneMuted = "Ваш микрофон выключен",
        HangUp = "Завершить",
        Microphone = "Микрофон",
        Speaker = "Динамик",
        DefaultDevice = "По умолчанию",
        RoundTrip = "Задержка",
        PacketLoss = "Потери",
        Direct = "Прямое соединение",
        Relayed = "Через сервер-ретранслятор",
        PoorConnection = "Плохая связь: собеседник может плохо вас слышать.",
        MicrophoneDenied = "Доступ к микрофону запрещён. Разрешите микрофон для этого сайта в настройках браузера и позвоните снова.",
        MicrophoneMissing = "Микрофон не найден. Подключите микрофон и позвоните снова.",
        MicrophoneUnavailable = "Микрофон недоступен: возможно, его занимает другое приложение.",
        InsecureContext = "Для звонков нужен защищённый адрес (HTTPS): здесь браузер не даёт доступ к микрофону.",
        AudioConnectionFailed = "Звуковое соединение оборвалось, звонок завершён.",
        AlreadyInCall = "Вы уже разговариваете.",
        CallNoLongerRinging = "Этот звонок уже не ждёт ответа.",
        CallCouldNotStart = "Не удалось начать звонок. Попробуйте ещё раз.",
        CallEndedAfter = duration => $"Звонок завершён · {duration}",
        CallOutcome = (reason, other, placedByMe) => reason switch
        {
            CallReason.Declined => placedByMe ? $"{other} отклонил(а) звонок." : "Вы отклонили звонок.",
            CallReason.Cancelled => placedByMe ? "Звонок отменён." : $"{other} отменил(а) звонок.",
            CallReason.NoAnswer => placedByMe ? $"{other} не отвечает." : $"Пропущенный звонок: {other}.",
            CallReason.CalleeOffline => placedByMe
                ? $"{other} не в сети и увидит пропущенный звонок."
                : $"Пропущенный звонок: {other}.",
            CallReason.CalleeBusy => placedByMe ? $"{other}: занято, идёт другой разговор." : $"Пропущенный звонок: {other}.",
            CallReason.HungUp => $"{other} завершил(а) звонок.",
            CallReason.ConnectionLost => $"Связь с собеседником ({other}) потеряна.",
            CallReason.MediaFailed => $"Звонок завершён: у собеседника ({other}) не удалось включить звук.",
            CallReason.ServerRestarted => "Звонок завершён: сервер перезапустился.",
            CallReason.AnsweredElsewhere => "Принят на другом устройстве.",
            CallReason.DeclinedElsewhere => "Отклонён на другом устройстве.",
            CallReason.Glare => $"Вы и {other} позвонили друг другу одновременно. Попробуйте ещё раз.",
            _ => "Звонок завершён.",
        },

        HistoryTitle = "Недавние звонки",
        NoHistory = "Звонков пока нет.",
        CallBack = "Перезвонить",
        OutgoingCall = "Исходящий",
        IncomingCallShort = "Входящий",
        MissedCall = "Пропущенный",
        DeclinedCall = "Отклонён",
        CancelledCall = "Отменён",
        BusyCall = "Занято",
        NoAnswerCall = "Нет ответа",
        UnseenMissedCalls = n => $"{n} {Plural(n, "пропущенный звонок", "пропущенных звонка", "пропущенных звонков")}",
        Today = "Сегодня",
        Yesterday = "Вчера",
        MonthsShort = ["янв", "фев", "мар", "апр", "мая", "июн", "июл", "авг", "сен", "окт", "ноя", "дек"],

        Reconnecting = "Переподключение…",
        TooManyDevices = "Ваша учётная запись открыта на слишком многих устройствах или вкладках. Закройте Peercall на одном из них: эта вкладка подключится, как только освободится место.",
    };

    /// <summary>Russian nouns after a number take one of three forms: 1 звонок, 2 звонка, 5 звонков.</summary>
    private static string Plural(int n, string one, string few, string many)
    {
        var lastTwo = Math.Abs(n) % 100;
        var last = lastTwo % 10;
        if (lastTwo is >= 11 and <= 14) return many;
        return last switch { 1 => one, >= 2 and <= 4 => few, _ => many };
    }
}
