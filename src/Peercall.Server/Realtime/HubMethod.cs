namespace Peercall.Server.Realtime;

/// <summary>A method clients may invoke: its parameter types, for reading the arguments, and the type of its
/// result, for writing it (null for a method that returns nothing).</summary>
public sealed class HubMethod(string name, Type[] parameters, Type? result, Func<HubSession, object?[], Task<object?>> invoke)
{
    public string Name { get; } = name;
    public IReadOnlyList<Type> Parameters { get; } = parameters;
    public Type? Result { get; } = result;

    public Task<object?> InvokeAsync(HubSession caller, object?[] arguments) => invoke(caller, arguments);

    public static HubMethod Of<TResult>(string name, Func<HubSession, Task<TResult>> method) =>
        new(name, [], typeof(TResult), async (caller, _) => await method(caller));

    public static HubMethod Of<T1, TResult>(string name, Func<HubSession, T1, Task<TResult>> method) =>
        new(name, [typeof(T1)], typeof(TResult), async (caller, a) => await method(caller, (T1)a[0]!));

    public static HubMethod Of<T1, T2, TResult>(string name, Func<HubSession, T1, T2, Task<TResult>> method) =>
        new(name, [typeof(T1), typeof(T2)], typeof(TResult), async (caller, a) => await method(caller, (T1)a[0]!, (T2)a[1]!));

    public static HubMethod Action<T1>(string name, Func<HubSession, T1, Task> method) =>
        new(name, [typeof(T1)], null, async (caller, a) =>
        {
            await method(caller, (T1)a[0]!);
            return null;
        });
}

/// <summary>What the realtime channel needs from the application: what happens as connections open and close,
/// and the methods they may invoke.</summary>
public interface IHubDispatcher
{
    Task OnConnectedAsync(HubSession session);

    /// <param name="error">Null when the client closed the connection itself; otherwise why it ended.</param>
    Task OnDisconnectedAsync(HubSession session, Exception? error);

    HubMethod? Find(string name);

    /// <summary>Runs an invocation; a refusal is a <see cref="HubMethodException"/>, whose message the caller sees.</summary>
    Task<object?> InvokeAsync(HubSession caller, HubMethod method, object?[] arguments);
}

/// <summary>An invocation refused or failed, with the message its caller receives as the completion's error.</summary>
public sealed class HubMethodException(string message) : Exception(message);
