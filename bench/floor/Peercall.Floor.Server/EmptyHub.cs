using Microsoft.AspNetCore.SignalR;

namespace Peercall.Floor.Server;

public sealed class EmptyHub : Hub;
