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
          // A task-list checkbox (`- [x]`) is read-only and has no text of its own: name its state.
          input: ({ node: _node, ...props }) =>
            props.type === 'checkbox' ? (
              <input {...props} aria-label={props.checked ? 'done' : 'not done'} />
            ) : (
              <input {...props} />
            ),
        }}
      >
        {source}
      </ReactMarkdown>
    </div>
  );
}
