using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Hall.Server.Data.Migrations
{
    /// <inheritdoc />
    public partial class DisplayCallAcksAndPayloadHash : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "last_acked_call_id",
                table: "devices");

            migrationBuilder.AddColumn<byte[]>(
                name: "payload_hash",
                table: "commands",
                type: "bytea",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "display_call_acks",
                columns: table => new
                {
                    device_id = table.Column<int>(type: "integer", nullable: false),
                    call_id = table.Column<long>(type: "bigint", nullable: false),
                    at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_display_call_acks", x => new { x.device_id, x.call_id });
                    table.ForeignKey(
                        name: "fk_display_call_acks_devices_device_id",
                        column: x => x.device_id,
                        principalTable: "devices",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_display_call_acks_ticket_events_call_id",
                        column: x => x.call_id,
                        principalTable: "ticket_events",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_display_call_acks_call_id",
                table: "display_call_acks",
                column: "call_id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "display_call_acks");

            migrationBuilder.DropColumn(
                name: "payload_hash",
                table: "commands");

            migrationBuilder.AddColumn<long>(
                name: "last_acked_call_id",
                table: "devices",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);
        }
    }
}
