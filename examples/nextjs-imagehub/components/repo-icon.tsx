'use client';

import { useEffect, useRef, useState } from 'react';

// Icons come from image labels and may point anywhere. Inline data: URIs and same-origin paths are
// shown as they are; http(s) URLs go through the hub's icon proxy (/api/hub/icons: images only,
// size-capped, SVG without scripts), so the browser itself fetches nothing from elsewhere. Anything
// the proxy refuses becomes a local letter placeholder.
function isLocal(icon: string): boolean {
  return icon.startsWith('data:image/') || (icon.startsWith('/') && !icon.startsWith('//'));
}

function sourceOf(icon: string | null): string | null {
  if (icon === null || icon === '') return null;
  if (isLocal(icon)) return icon;
  if (/^https?:\/\//i.test(icon)) return `/api/hub/icons?url=${encodeURIComponent(icon)}`;
  return null;
}

const COLORS = ['#2563eb', '#7c3aed', '#db2777', '#059669', '#d97706', '#0891b2'];

export function RepoIcon({ name, icon, size = 48 }: { name: string; icon: string | null; size?: number }) {
  const src = sourceOf(icon);
  const [failed, setFailed] = useState(false);
  const image = useRef<HTMLImageElement>(null);
  // An error that fired before hydration left no event to catch: look at the image once mounted.
  useEffect(() => {
    const element = image.current;
    if (element?.complete && element.naturalWidth === 0) setFailed(true);
  }, []);
  if (src !== null && !failed) {
    return (
      // biome-ignore lint/performance/noImgElement: data: URIs and proxied icons gain nothing from next/image
      <img
        ref={image}
        className="icon"
        src={src}
        alt=""
        width={size}
        height={size}
        onError={() => setFailed(true)}
      />
    );
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
