import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useApi, useApiQuery } from '../api/api-context.js';
import { analyzerOperations, authOperations } from '../api/operations.js';
import { toast } from './toasts.js';

/** Live / Analyzer and Auto / Semi-auto, shown everywhere; each is a switch. */
export function ModeBadges() {
  const client = useApi();
  const queryClient = useQueryClient();
  const analyzer = useApiQuery(analyzerOperations.status, {}, { staleTime: 30_000, retry: false });
  const apiKey = useApiQuery(authOperations.apiKey, undefined, { staleTime: 30_000, retry: false });
  const isAnalyzer = analyzer.data?.data.analyze_mode ?? false;
  const orderMode = apiKey.data?.data.order_mode ?? null;

  const toggleAnalyzer = useMutation({
    mutationFn: () => client.call(analyzerOperations.toggle, { mode: !isAnalyzer }),
    onSuccess: async (answer) => {
      toast.info(
        answer.data.analyze_mode
          ? 'Analyzer mode: orders go to the sandbox'
          : 'Live mode: orders go to the broker',
      );
      await queryClient.invalidateQueries();
    },
    onError: (error) => toast.fromError(error),
  });
  const toggleOrderMode = useMutation({
    mutationFn: () =>
      client.call(authOperations.setOrderMode, { mode: orderMode === 'semi_auto' ? 'auto' : 'semi_auto' }),
    onSuccess: async (answer) => {
      toast.info(
        answer.data.order_mode === 'semi_auto'
          ? 'Semi-auto: API orders wait for approval in the Action Center'
          : 'Auto: API orders execute immediately',
      );
      await queryClient.invalidateQueries({ queryKey: [authOperations.apiKey.path] });
    },
    onError: (error) => toast.fromError(error),
  });

  return (
    <div className="mode-badges">
      <button
        type="button"
        className={`badge ${isAnalyzer ? 'badge-analyzer' : 'badge-live'}`}
        aria-pressed={isAnalyzer}
        disabled={analyzer.isPending || toggleAnalyzer.isPending || !!analyzer.error}
        title={
          analyzer.error ? analyzer.error.message : 'Switch between live trading and the analyzer (sandbox)'
        }
        onClick={() => toggleAnalyzer.mutate()}
        data-testid="mode-analyzer"
      >
        {analyzer.error ? 'Mode ?' : isAnalyzer ? 'Analyzer' : 'Live'}
      </button>
      <button
        type="button"
        className={`badge ${orderMode === 'semi_auto' ? 'badge-semi' : 'badge-auto'}`}
        aria-pressed={orderMode === 'semi_auto'}
        disabled={apiKey.isPending || toggleOrderMode.isPending || !orderMode}
        title="Auto executes API orders at once; semi-auto queues them for approval"
        onClick={() => toggleOrderMode.mutate()}
        data-testid="mode-order"
      >
        {orderMode === 'semi_auto' ? 'Semi-auto' : orderMode === 'auto' ? 'Auto' : 'Order mode ?'}
      </button>
    </div>
  );
}
