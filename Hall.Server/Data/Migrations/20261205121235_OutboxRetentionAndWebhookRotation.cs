using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Hall.Server.Data.Migrations
{
    /// <inheritdoc />
    public partial class OutboxRetentionAndWebhookRotation : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "previous_secret_cipher",
                table: "webhook_endpoints",
                type: "character varying(1000)",
                maxLength: 1000,
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "previous_secret_until",
                table: "webhook_endpoints",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "ix_outbox_sent_at",
                table: "outbox",
                column: "sent_at",
                filter: "state = 'sent'");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_outbox_sent_at",
                table: "outbox");

            migrationBuilder.DropColumn(
                name: "previous_secret_cipher",
                table: "webhook_endpoints");

            migrationBuilder.DropColumn(
                name: "previous_secret_until",
                table: "webhook_endpoints");
        }
    }
}
