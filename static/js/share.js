// Share text through the Web Share API, falling back to the clipboard.

/**
 * @param {{title?: string, text: string, url?: string}} data
 * @returns {Promise<"shared" | "copied" | "cancelled" | "failed">}
 */
export async function share(data) {
  if (navigator.share) {
    try {
      await navigator.share(data);
      return "shared";
    } catch (error) {
      if (error instanceof DOMException && error.name === "AbortError") return "cancelled";
    }
  }
  try {
    await navigator.clipboard.writeText(data.url ? `${data.text}\n${data.url}` : data.text);
    return "copied";
  } catch {
    return "failed";
  }
}
