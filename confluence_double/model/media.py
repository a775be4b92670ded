"""Attachment media types and the names Confluence shows for them."""

MEDIA_TYPES = {
    "png": ("image/png", "PNG Image"),
    "jpg": ("image/jpeg", "JPEG Image"),
    "gif": ("image/gif", "GIF Image"),
    "svg": ("image/svg+xml", "SVG Image"),
    "pdf": ("application/pdf", "PDF Document"),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "Microsoft Word Document",
    ),
    "xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "Microsoft Excel Spreadsheet",
    ),
    "pptx": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "Microsoft PowerPoint Presentation",
    ),
    "txt": ("text/plain", "Text File"),
    "csv": ("text/csv", "CSV File"),
    "json": ("application/json", "JSON File"),
    "zip": ("application/zip", "Zip Archive"),
    "mp4": ("video/mp4", "MP4 Video"),
}


def describe_media_type(media_type: str) -> str:
    for mt, description in MEDIA_TYPES.values():
        if mt == media_type:
            return description
    return "File"
