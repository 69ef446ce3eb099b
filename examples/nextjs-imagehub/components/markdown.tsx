import ReactMarkdown from 'react-markdown';
import rehypeSanitize from 'rehype-sanitize';
import remarkGfm from 'remark-gfm';

/**
 * A README as GitHub-flavoured Markdown, sanitized (GitHub's allow-list): raw HTML, scripts and
 * javascript: links in an image's README never reach the page. Remote images are not loaded.
 */
export function Markdown({ source }: { source: string }) {
  return (
    <div className="markdown" data-testid="readme">
      <ReactMarkdown
        remarkPlugins={[remarkGfm]}
        rehypePlugins={[rehypeSanitize]}
        components={{
          img: ({ alt }) => <span className="img-alt">[image: {alt ?? ''}]</span>,
        }}
      >
        {source}
      </ReactMarkdown>
    </div>
  );
}
