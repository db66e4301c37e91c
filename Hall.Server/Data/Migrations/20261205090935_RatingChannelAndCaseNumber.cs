using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Hall.Server.Data.Migrations
{
    /// <inheritdoc />
    public partial class RatingChannelAndCaseNumber : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "case_number",
                table: "tickets",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "case_number_required",
                table: "services",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "appeal_upheld_at",
                table: "ratings",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "channel",
                table: "ratings",
                type: "character varying(16)",
                maxLength: 16,
                nullable: false,
                defaultValue: "Evaluator");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "case_number",
                table: "tickets");

            migrationBuilder.DropColumn(
                name: "case_number_required",
                table: "services");

            migrationBuilder.DropColumn(
                name: "appeal_upheld_at",
                table: "ratings");

            migrationBuilder.DropColumn(
                name: "channel",
                table: "ratings");
        }
    }
}
