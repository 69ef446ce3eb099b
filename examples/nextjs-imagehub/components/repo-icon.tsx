// Icons come from image labels and may point anywhere; the example fetches nothing from the
// internet, so only inline data: URIs and same-origin paths are shown, otherwise a local placeholder.
function isLocal(icon: string | null): icon is string {
  return (
    icon !== null && (icon.startsWith('data:image/') || (icon.startsWith('/') && !icon.startsWith('//')))
  );
}

const COLORS = ['#2563eb', '#7c3aed', '#db2777', '#059669', '#d97706', '#0891b2'];

export function RepoIcon({ name, icon, size = 48 }: { name: string; icon: string | null; size?: number }) {
  if (isLocal(icon)) {
    // biome-ignore lint/performance/noImgElement: data: URIs gain nothing from next/image
    return <img className="icon" src={icon} alt="" width={size} height={size} />;
  }
  const repo = name.split('/').at(-1) ?? name;
  let hash = 0;
  for (const ch of name) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  return (
    <span
      className="icon placeholder"
      aria-hidden="true"
      data-testid="icon-placeholder"
      style={{ width: size, height: size, background: COLORS[hash % COLORS.length], fontSize: size / 2.2 }}
    >
      {repo.charAt(0).toUpperCase()}
    </span>
  );
}
