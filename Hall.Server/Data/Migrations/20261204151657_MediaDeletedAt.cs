using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Hall.Server.Data.Migrations
{
    /// <inheritdoc />
    public partial class MediaDeletedAt : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "fk_media_plays_media_items_media_id",
                table: "media_plays");

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "deleted_at",
                table: "media_items",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddForeignKey(
                name: "fk_media_plays_media_items_media_id",
                table: "media_plays",
                column: "media_id",
                principalTable: "media_items",
                principalColumn: "id",
                onDelete: ReferentialAction.Restrict);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "fk_media_plays_media_items_media_id",
                table: "media_plays");

            migrationBuilder.DropColumn(
                name: "deleted_at",
                table: "media_items");

            migrationBuilder.AddForeignKey(
                name: "fk_media_plays_media_items_media_id",
                table: "media_plays",
                column: "media_id",
                principalTable: "media_items",
                principalColumn: "id",
                onDelete: ReferentialAction.Cascade);
        }
    }
}
