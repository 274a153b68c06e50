using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Peercall.Server.Data.Migrations.Postgres
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
                    CallId = table.Column<Guid>(type: "uuid", nullable: false),
                    UserId = table.Column<Guid>(type: "uuid", nullable: false),
                    Seat = table.Column<int>(type: "integer", nullable: false),
                    State = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Reason = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    InvitedBy = table.Column<Guid>(type: "uuid", nullable: true),
                    InvitedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    JoinedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    LeftAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    ConnectionId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    HasSeen = table.Column<bool>(type: "boolean", nullable: false)
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

            migrationBuilder.DropColumn(
                name: "CalleeConnectionId",
                table: "Calls");

            migrationBuilder.DropColumn(
                name: "CalleeHasSeen",
                table: "Calls");

            migrationBuilder.DropColumn(
                name: "CallerConnectionId",
                table: "Calls");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "CallParticipants");

            migrationBuilder.AddColumn<string>(
                name: "CalleeConnectionId",
                table: "Calls",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "CalleeHasSeen",
                table: "Calls",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<string>(
                name: "CallerConnectionId",
                table: "Calls",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);
        }
    }
}
