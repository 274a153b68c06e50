using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Peercall.Server.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class GroupCalls : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "CallParticipants",
                columns: table => new
                {
                    CallId = table.Column<Guid>(type: "TEXT", nullable: false),
                    UserId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Seat = table.Column<int>(type: "INTEGER", nullable: false),
                    State = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Reason = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    InvitedBy = table.Column<Guid>(type: "TEXT", nullable: true),
                    InvitedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    JoinedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    LeftAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    ConnectionId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    HasSeen = table.Column<bool>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CallParticipants", x => new { x.CallId, x.UserId });
                    table.ForeignKey(
                        name: "FK_CallParticipants_AspNetUsers_UserId",
                        column: x => x.UserId,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_CallParticipants_Calls_CallId",
                        column: x => x.CallId,
                        principalTable: "Calls",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_CallParticipants_CallId_Seat",
                table: "CallParticipants",
                columns: new[] { "CallId", "Seat" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_CallParticipants_ConnectionId",
                table: "CallParticipants",
                column: "ConnectionId");

            migrationBuilder.CreateIndex(
                name: "IX_CallParticipants_State_InvitedAt",
                table: "CallParticipants",
                columns: new[] { "State", "InvitedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_CallParticipants_UserId_State",
                table: "CallParticipants",
                columns: new[] { "UserId", "State" });

            migrationBuilder.Sql(ParticipantsFromCalls.Sql);

            // SQLite (3.35 and later, as bundled) drops a plain column in place; EF Core's DropColumn would rebuild the
            // table outside the migration's transaction, and warn so on every new server's first start.
            migrationBuilder.Sql(@"ALTER TABLE ""Calls"" DROP COLUMN ""CalleeConnectionId"";");
            migrationBuilder.Sql(@"ALTER TABLE ""Calls"" DROP COLUMN ""CalleeHasSeen"";");
            migrationBuilder.Sql(@"ALTER TABLE ""Calls"" DROP COLUMN ""CallerConnectionId"";");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "CallParticipants");

            migrationBuilder.AddColumn<string>(
                name: "CalleeConnectionId",
                table: "Calls",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "CalleeHasSeen",
                table: "Calls",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<string>(
                name: "CallerConnectionId",
                table: "Calls",
                type: "TEXT",
                maxLength: 64,
                nullable: true);
        }
    }
}
