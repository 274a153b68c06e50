using Peercall.Contracts.Calls;

namespace Peercall.Web.Localization;

/// <summary>
/// Every string the app shows, in one language. Each property is required, so a language that forgets a string
/// does not compile.
/// </summary>
public sealed class UiText
{
    public required string LanguageCode { get; init; }
    public required string LanguageName { get; init; }
    public required string LanguageLabel { get; init; }
    public required string AppTagline { get; init; }
    public required string Loading { get; init; }
    public required string Dismiss { get; init; }
    public required string ShowMore { get; init; }
    public required string NotFound { get; init; }
    public required string UnexpectedError { get; init; }
    public required string ServerUnreachable { get; init; }

    // Accounts
    public required string SignInTitle { get; init; }
    public required string RegisterTitle { get; init; }
    public required string Username { get; init; }
    public required string Password { get; init; }
    public required string DisplayName { get; init; }
    public required string DisplayNameHint { get; init; }
    public required string SignInButton { get; init; }
    public required string RegisterButton { get; init; }
    public required string SignOut { get; init; }

    /// <summary>Opens the server's page for connecting another device: LAN addresses, QR codes, the CA.</summary>
    public required string ConnectDevice { get; init; }
    public required string NoAccountYet { get; init; }
    public required string AlreadyHaveAccount { get; init; }
    public required string UsernameRequired { get; init; }
    public required string UsernameRule { get; init; }
    public required string PasswordRequired { get; init; }
    public required Func<int, string> PasswordTooShort { get; init; }
    public required Func<int, string> PasswordTooLong { get; init; }
    public required Func<int, string> DisplayNameTooLong { get; init; }
    public required string UsernameTaken { get; init; }
    public required string InvalidCredentials { get; init; }
    public required string AccountLocked { get; init; }
    public required string RateLimited { get; init; }
    public required string SessionExpired { get; init; }

    // Contacts and presence
    public required string ContactsTitle { get; init; }
    public required string SearchPlaceholder { get; init; }
    public required string NoContacts { get; init; }
    public required Func<string, string> NoMatches { get; init; }
    public required string PresenceOnline { get; init; }
    public required string PresenceInCall { get; init; }
    public required string PresenceOffline { get; init; }
    public required string LastSeenJustNow { get; init; }
    public required Func<int, string> LastSeenMinutes { get; init; }
    public required Func<int, string> LastSeenHours { get; init; }
    public required Func<int, string> LastSeenDays { get; init; }
    public required string Call { get; init; }
    public required Func<string, string> CallPerson { get; init; }
    public required string VideoCall { get; init; }
    public required Func<string, string> VideoCallPerson { get; init; }

    // Calls
    public required string Ringing { get; init; }
    public required string Cancel { get; init; }
    public required string IncomingCall { get; init; }
    public required string Accept { get; init; }
    public required string Decline { get; init; }
    public required string Connecting { get; init; }
    public required string Mute { get; init; }
    public required string Unmute { get; init; }
    public required string MicrophoneMuted { get; init; }
    public required string HangUp { get; init; }
    public required string Microphone { get; init; }
    public required string Speaker { get; init; }
    public required string DefaultDevice { get; init; }
    public required string RoundTrip { get; init; }
    public required string PacketLoss { get; init; }
    public required string Direct { get; init; }
    public required string Relayed { get; init; }
    public required string PoorConnection { get; init; }
    public required string MicrophoneDenied { get; init; }
    public required string MicrophoneMissing { get; init; }
    public required string MicrophoneUnavailable { get; init; }
    public required string LeaveMissedCall { get; init; }
    public required Func<string, string> LeaveMissedCallFor { get; init; }
    public required string MillisecondsUnit { get; init; }
    public required string SpeakingWhileMuted { get; init; }
    public required string NotificationsWhy { get; init; }
    public required string AllowNotifications { get; init; }
    public required string NotNow { get; init; }
    public required string WaitingForMicrophone { get; init; }
    public required string InsecurePage { get; init; }
    public required Func<string, string> OpenSecureAddress { get; init; }
    public required string HowToConnectDevices { get; init; }
    public required string InsecureContext { get; init; }
    public required string MediaConnectionFailed { get; init; }
    public required string IncomingVideoCall { get; init; }
    public required string AnswerWithoutVideo { get; init; }
    public required string Camera { get; init; }
    public required string TurnCameraOn { get; init; }
    public required string TurnCameraOff { get; init; }
    public required string ShareScreen { get; init; }
    public required string StopSharing { get; init; }
    public required string YouAreSharing { get; init; }
    public required string HideSelfView { get; init; }
    public required string ShowSelfView { get; init; }
    public required string MediaReconnecting { get; init; }
    public required string CallSettings { get; init; }
    public required string VoiceProcessing { get; init; }
    public required string EchoCancellation { get; init; }
    public required string NoiseSuppression { get; init; }
    public required string AutoGainControl { get; init; }
    public required string CameraDenied { get; init; }
    public required string CameraMissing { get; init; }
    public required string CameraUnavailable { get; init; }
    public required string ScreenShareUnavailable { get; init; }
    public required string AlreadyInCall { get; init; }
    public required string CallNoLongerRinging { get; init; }
    public required string CallCouldNotStart { get; init; }
    public required Func<string, string> CallEndedAfter { get; init; }
    // Group calls
    public required string AddPerson { get; init; }
    public required string GroupCall { get; init; }
    public required Func<string, string> WhoJoined { get; init; }
    public required string PickPeople { get; init; }
    public required Func<string, string> PickPerson { get; init; }
    public required Func<int, string> CallPeople { get; init; }
    public required Func<int, string> VideoCallPeople { get; init; }
    public required string NobodyToAdd { get; init; }
    public required string Add { get; init; }
    public required string Close { get; init; }
    public required string CallFull { get; init; }
    public required Func<string, string> CouldNotAdd { get; init; }
    public required Func<string, string> LostConnectionTo { get; init; }
    public required Func<string, string> DeclinedToJoin { get; init; }
    public required Func<string, string> BusyInAnotherCall { get; init; }
    public required Func<string, string> OfflineWillSeeMissed { get; init; }
    public required Func<string, string> DidNotAnswer { get; init; }
    /// <summary>The others in a group call, for the ringing screen: a list of names.</summary>
    public required Func<string, string> GroupCallWith { get; init; }
    public required string ParticipantMuted { get; init; }
    public required string Speaking { get; init; }
    /// <summary>Why a call ended, as the person on this side should read it: (reason, other party, this side
    /// placed the call).</summary>
    public required Func<CallReason, string, bool, string> CallOutcome { get; init; }

    // History
    public required string HistoryTitle { get; init; }
    public required string NoHistory { get; init; }
    public required string CallBack { get; init; }
    public required string OutgoingCall { get; init; }
    public required string IncomingCallShort { get; init; }
    public required string VoiceCallShort { get; init; }
    public required string VideoCallShort { get; init; }
    public required string MissedCall { get; init; }
    public required string DeclinedCall { get; init; }
    public required string CancelledCall { get; init; }
    public required string BusyCall { get; init; }
    public required string NoAnswerCall { get; init; }
    public required Func<int, string> UnseenMissedCalls { get; init; }
    public required string Today { get; init; }
    public required string Yesterday { get; init; }
    public required string[] MonthsShort { get; init; }

    // Realtime connection
    public required string Reconnecting { get; init; }
    public required string TooManyDevices { get; init; }
}
